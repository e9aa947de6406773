/** Structured JSON logs, one line each. Never log message text, passwords or tokens. */
export type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface Logger {
  write(fields: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(min: Level): Logger {
  const write = (fields: Record<string, unknown>) => {
    const level = (fields.level as Level | undefined) ?? "info";
    if (ORDER[level] < ORDER[min]) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level, ...fields });
    if (level === "error" || level === "warn") console.error(line);
    else console.log(line);
  };
  return {
    write,
    info: (msg, fields) => write({ level: "info", msg, ...fields }),
    warn: (msg, fields) => write({ level: "warn", msg, ...fields }),
    error: (msg, fields) => write({ level: "error", msg, ...fields }),
  };
}
