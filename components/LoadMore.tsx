/**
 * The end of a paged list (the console's tabs, the admin page's table): loads the next page when
 * it scrolls into view, and offers a button for the same (keyboards, screen readers, no observer).
 */
import { useEffect, useRef } from "preact/hooks";

export interface LoadMoreProps {
  hasMore: boolean;
  loading: boolean;
  error: string | null;
  onMore(): void;
}

export function LoadMore({ hasMore, loading, error, onMore }: LoadMoreProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (!hasMore || loading || !element || typeof IntersectionObserver === "undefined") return;
    // Re-armed after each page: while the end stays in view, the next page follows.
    const observer = new IntersectionObserver(
      (entries) => entries.some((e) => e.isIntersecting) && onMore(),
      { rootMargin: "200px" },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasMore, loading]);
  if (!hasMore && !error) return null;
  return (
    <div ref={ref} class="load-more">
      {error && <p class="form-error" role="alert">{error}</p>}
      {hasMore && (
        <button type="button" class="small" disabled={loading} onClick={onMore}>
          {loading ? "Loading…" : "Load more"}
        </button>
      )}
    </div>
  );
}
