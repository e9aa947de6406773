/**
 * Typed errors, mapped to the contract's error body `{error: {code, message}}` and HTTP status in
 * one place (`errorResponse`). Throw these from anywhere; routes and the socket turn them into
 * responses or error frames.
 */

export type ErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "rate_limited"
  | "too_large"
  | "internal"
  | "unavailable";

export const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  too_large: 413,
  internal: 500,
  unavailable: 503,
};

export class AppError extends Error {
  /** `retryAfterS`: sent as `Retry-After` (429, 503). */
  constructor(readonly code: ErrorCode, message: string, readonly retryAfterS?: number) {
    super(message);
  }
}

/** "30 seconds", "4 minutes", "2 hours": a wait, for messages. */
export function waitText(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} minutes`;
  return `${Math.round(seconds / 3600)} hours`;
}

/** 429 with `Retry-After`: `what` went over a limit; the message says when to retry. */
export function rateLimited(what: string, retryAfterMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError("rate_limited", `${what} Try again in ${waitText(seconds)}.`, seconds);
}

/** 503 with `Retry-After`: busy right now, not broken. */
export const unavailable = (message: string, retryAfterS = 1) =>
  new AppError("unavailable", message, retryAfterS);

export const badRequest = (message: string) => new AppError("bad_request", message);
export const unauthorized = (message = "Sign in first.") => new AppError("unauthorized", message);
export const forbidden = (message = "You are not allowed to do that.") =>
  new AppError("forbidden", message);
export const notFound = (what = "That") => new AppError("not_found", `${what} was not found.`);
export const conflict = (message: string) => new AppError("conflict", message);
export const tooLarge = (message: string) => new AppError("too_large", message);

export function errorBody(code: ErrorCode, message: string) {
  return { error: { code, message } };
}

/** Anything thrown → [status, body]. Unknown errors become `internal` without leaking details. */
export function toErrorBody(err: unknown): [number, ReturnType<typeof errorBody>] {
  if (err instanceof AppError) return [STATUS[err.code], errorBody(err.code, err.message)];
  return [500, errorBody("internal", "Something went wrong on our side. Please try again.")];
}

/**
 * Start-up can't go on for a reason the operator can fix (the KV file, the port): main.ts prints
 * the message as one line and exits 1, without a stack trace.
 */
export class StartupError extends Error {}
