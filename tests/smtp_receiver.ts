/**
 * A real SMTP server for tests (the `smtp-server` package) on a free port; every message it
 * accepts is parsed with `mailparser` and kept.
 */
import { SMTPServer } from "smtp-server";
import { type ParsedMail, simpleParser } from "mailparser";

export class SmtpReceiver {
  readonly mails: ParsedMail[] = [];
  readonly #server: SMTPServer;
  port = 0;

  constructor() {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream).then((mail) => {
          this.mails.push(mail);
          callback();
        }, (err) => callback(err));
      },
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", () => resolve()));
    // deno-lint-ignore no-explicit-any
    this.port = (this.#server as any).server.address().port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
