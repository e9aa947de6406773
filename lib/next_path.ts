/**
 * Where to go after signing in (`?next=`), on the server (pages render it) and in the browser
 * (islands/AuthForm.tsx): `next` is resolved with `new URL(next, origin)` — exactly as the browser
 * will — and kept only if it stays on `origin`. Returned as a path that can't leave the site when
 * used again (`//evil.example`, `/\evil.example` and `/%09/evil.example` all resolve elsewhere).
 */
export function localNext(next: string | null | undefined, origin: string): string | null {
  if (!next) return null;
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return null;
  }
  if (url.origin !== origin) return null;
  const path = url.pathname + url.search + url.hash;
  if (!path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return null;
  return path;
}
