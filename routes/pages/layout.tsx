/** The frame every page shares: a skip link, the header with the brand and its links, and main. */
import type { ComponentChildren } from "preact";

export interface ShellProps {
  /** Links or controls on the right of the header. */
  nav?: ComponentChildren;
  /** Extra class on <main> (page layout). */
  layout?: string;
  children: ComponentChildren;
}

export function Shell({ nav, layout, children }: ShellProps) {
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="topbar">
        <a class="brand" href="/">
          <span class="logo" aria-hidden="true">P</span>
          Parley
        </a>
        {nav && <nav aria-label="Account">{nav}</nav>}
      </header>
      <main id="main" class={layout}>{children}</main>
    </>
  );
}

/** A centred card for the sign-in and registration forms. */
export function AuthCard(
  { title, intro, children, footer }: {
    title: string;
    intro?: ComponentChildren;
    children: ComponentChildren;
    footer?: ComponentChildren;
  },
) {
  return (
    <section class="card auth-card" aria-labelledby="auth-title">
      <h1 id="auth-title">{title}</h1>
      {intro && <p class="muted">{intro}</p>}
      {children}
      {footer && <p class="auth-footer">{footer}</p>}
    </section>
  );
}
