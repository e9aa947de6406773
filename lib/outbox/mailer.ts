/**
 * Email through SMTP (nodemailer, SMTP_URL): an agent's reply the customer has not read, and
 * transcripts. Each mail carries a link back to the conversation and Reply-To (MAIL_REPLY_TO, else
 * MAIL_FROM). Replies by email are not read by Parley (out of scope). Private notes never appear:
 * transcripts skip them, and replies are only made from messages that are not private.
 */
import nodemailer from "nodemailer";
import type { MailSettings } from "../config.ts";
import type { Conversation, Message } from "../contract/types.ts";

export interface MailContent {
  to: string;
  subject: string;
  text: string;
}

export class Mailer {
  readonly #transport: ReturnType<typeof nodemailer.createTransport>;

  constructor(private settings: MailSettings, timeoutMs: number) {
    const url = new URL(settings.smtpUrl);
    const secure = url.protocol === "smtps:";
    this.#transport = nodemailer.createTransport({
      host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: url.port ? Number(url.port) : secure ? 465 : 587,
      secure,
      auth: url.username
        ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
        : undefined,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
  }

  async send(mail: MailContent): Promise<void> {
    await this.#transport.sendMail({
      from: this.settings.from,
      replyTo: this.settings.replyTo,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
    });
  }

  close(): void {
    this.#transport.close();
  }
}

const isPrivate = (m: Message) => (m as { private?: boolean }).private === true;

export function replyMail(
  to: string,
  business: string,
  link: string,
  message: Message,
): MailContent {
  return {
    to,
    subject: `${message.authorName} replied — ${business}`,
    text: `${message.authorName} wrote:\n\n${message.text}\n\n` +
      `Continue the conversation: ${link}\n\n` +
      `(Replies to this email reach the team's mailbox, not the chat.)\n`,
  };
}

export function transcriptMail(
  to: string,
  business: string,
  link: string,
  conversation: Conversation,
  messages: Message[],
): MailContent {
  const lines = messages.filter((m) => !isPrivate(m)).map((m) =>
    `[${m.createdAt.slice(0, 16).replace("T", " ")} UTC] ${m.authorName}: ${m.text}`
  );
  return {
    to,
    subject: `Your conversation with ${business}`,
    text: `Transcript of conversation ${conversation.id}:\n\n${lines.join("\n")}\n\n` +
      `Continue the conversation: ${link}\n`,
  };
}
