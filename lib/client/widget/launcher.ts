/**
 * What the loader draws on the host page, all inside one shadow root on one element
 * (`<div id="parley-widget">`), styled by a constructed stylesheet (no inline style, so a strict
 * host CSP doesn't block it, and nothing leaks into or out of the host's styles): the launcher
 * button with its unread badge, and the panel that holds the iframe once there is one.
 *
 * The launcher is named "Open chat" ("Close chat" while open); the unread count is its
 * description. On a phone (≤ 480 px wide) the open panel fills the screen and the launcher hides
 * under it: the panel has its own close button.
 */
import { type Position, textOn } from "../../contract/widget_rules.ts";

export const PHONE_QUERY = "(max-width: 480px)";

const CSS = `
:host{all:initial}
*{box-sizing:border-box}
.launcher{position:fixed;bottom:20px;z-index:2147483000;width:56px;height:56px;border:0;
border-radius:50%;padding:0;cursor:pointer;display:grid;place-items:center;
background:var(--accent);color:var(--on-accent);box-shadow:0 4px 16px rgba(0,0,0,.25);
transition:transform .15s ease}
.launcher:hover{transform:scale(1.06)}
.launcher:focus-visible{outline:3px solid var(--accent);outline-offset:3px}
.launcher svg{width:28px;height:28px;fill:none;stroke:currentColor;stroke-width:2;
stroke-linecap:round;stroke-linejoin:round}
.launcher .close,.open .launcher .chat{display:none}
.open .launcher .close{display:block}
.badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;padding:0 6px;
border-radius:11px;background:#dc2626;color:#fff;font:600 12px/22px system-ui,sans-serif;
text-align:center;box-shadow:0 0 0 2px #fff}
.badge[hidden]{display:none}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.panel{position:fixed;bottom:88px;z-index:2147483001;width:380px;
height:min(640px,calc(100vh - 108px));border-radius:16px;overflow:hidden;background:#fff;
box-shadow:0 12px 48px rgba(0,0,0,.28)}
.panel[hidden]{display:none}
.panel iframe{display:block;width:100%;height:100%;border:0}
.right .launcher,.right .panel{right:20px}
.left .launcher,.left .panel{left:20px}
@media ${PHONE_QUERY}{
.left .panel,.right .panel{inset:0;width:100%;height:100%;border-radius:0}
.open .launcher{display:none}
}
@media (prefers-reduced-motion:reduce){.launcher{transition:none}}
`;

/** An icon, built node by node (no innerHTML: a host page may enforce Trusted Types). */
function icon(className: string, path: string): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", className);
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const shape = document.createElementNS(ns, "path");
  shape.setAttribute("d", path);
  svg.append(shape);
  return svg;
}

export interface Launcher {
  button: HTMLButtonElement;
  panel: HTMLDivElement;
  /** The element that holds everything (for contains checks). */
  host: HTMLElement;
  setOpen(open: boolean): void;
  setUnread(count: number): void;
  /** Puts the iframe in the panel. */
  holdFrame(frame: HTMLIFrameElement): void;
}

/** Draws the launcher (the panel stays empty and hidden until there is a frame). */
export function drawLauncher(
  { color, position, onToggle }: { color: string; position: Position; onToggle(): void },
): Launcher {
  const host = document.createElement("div");
  host.id = "parley-widget";
  const root = host.attachShadow({ mode: "open" });
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } catch {
    const style = document.createElement("style"); // browsers without constructed stylesheets
    style.textContent = CSS;
    root.append(style);
  }
  const frame = document.createElement("div");
  frame.className = position;
  // Custom properties through the CSSOM: allowed by any CSP, unlike a style attribute.
  frame.style.setProperty("--accent", color);
  frame.style.setProperty("--on-accent", textOn(color));

  const button = document.createElement("button");
  button.type = "button";
  button.className = "launcher";
  button.setAttribute("aria-label", "Open chat");
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "parley-panel");
  button.setAttribute("aria-describedby", "parley-unread");
  button.append(
    icon("chat", "M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.6A8 8 0 1 1 21 12z"),
    icon("close", "M6 6l12 12M18 6L6 18"),
  );
  const badge = document.createElement("span");
  badge.className = "badge";
  badge.hidden = true;
  badge.setAttribute("aria-hidden", "true");
  const described = document.createElement("span");
  described.id = "parley-unread";
  described.className = "sr";
  button.append(badge);
  button.addEventListener("click", onToggle);

  const panel = document.createElement("div");
  panel.id = "parley-panel";
  panel.className = "panel";
  panel.hidden = true;

  frame.append(button, described, panel);
  root.append(frame);
  document.body.append(host);

  return {
    button,
    panel,
    host,
    setOpen(open) {
      frame.classList.toggle("open", open);
      panel.hidden = !open;
      button.setAttribute("aria-label", open ? "Close chat" : "Open chat");
      button.setAttribute("aria-expanded", String(open));
    },
    setUnread(count) {
      badge.hidden = count === 0;
      badge.textContent = count > 99 ? "99+" : String(count);
      described.textContent = count === 0 ? "" : `${count} unread message${count === 1 ? "" : "s"}`;
    },
    holdFrame(iframe) {
      panel.append(iframe);
    },
  };
}
