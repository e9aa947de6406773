/**
 * The admin page's "Website widget" card: the snippet to paste, and the widget's run-time setting
 * (colour, greeting, position, the bot's name, the pre-chat form, the sites allowed to embed it),
 * read and saved through /api/settings/widget. A save names the revision it was based on, so two
 * admins don't overwrite each other; every instance applies it within seconds.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, ApiError } from "../lib/client/api.ts";
import type { PublicWidgetSettings, WidgetSettings } from "../lib/contract/widget.ts";

interface Entry {
  value: WidgetSettings;
  revision: number;
}

const REQUIREMENTS = [["off", "Don't ask"], ["optional", "Optional"], ["required", "Required"]];

export function WidgetSettingsForm() {
  const entry = useSignal<Entry | null>(null);
  const identify = useSignal<boolean | null>(null);
  const origin = useSignal("https://PARLEY_HOST");
  const failure = useSignal<string | null>(null);
  const notice = useSignal<string | null>(null);
  const busy = useSignal(false);

  const load = async () => {
    const [current, shown] = await Promise.all([
      api<Entry>("GET", "/api/settings/widget"),
      api<{ settings: PublicWidgetSettings }>("GET", "/api/widget/settings"),
    ]);
    entry.value = current;
    identify.value = shown.settings.identify;
  };

  useEffect(() => {
    origin.value = location.origin;
    load().catch((e) => failure.value = e instanceof ApiError ? e.message : "Could not load.");
  }, []);

  const save = async (event: Event) => {
    event.preventDefault();
    const current = entry.peek();
    if (!current) return;
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const value = {
      color: String(data.get("color")),
      greeting: String(data.get("greeting")),
      position: String(data.get("position")),
      botName: String(data.get("botName")),
      preChat: { name: String(data.get("preChatName")), email: String(data.get("preChatEmail")) },
      allowedOrigins: String(data.get("allowedOrigins")).split(/[\s,]+/).filter(Boolean),
    };
    failure.value = notice.value = null;
    busy.value = true;
    try {
      entry.value = await api<Entry>("PUT", "/api/settings/widget", {
        value,
        revision: current.revision,
      });
      notice.value = "Saved. Websites show the change within a few seconds.";
    } catch (e) {
      failure.value = e instanceof ApiError ? e.message : "Could not save the widget settings.";
    } finally {
      busy.value = false;
    }
  };

  const v = entry.value?.value;
  return (
    <section class="card" aria-labelledby="widget-settings">
      <h2 id="widget-settings">Website widget</h2>
      <p class="muted">
        Paste this before <code>&lt;/body&gt;</code> on an allowed site:
      </p>
      <pre class="snippet"><code>{`<script src="${origin.value}/widget.js" async></script>`}</code></pre>
      <p class="muted">
        {identify.value === null
          ? ""
          : identify.value
          ? "Identity verification is on (WIDGET_SECRET is set): see docs/widget.md."
          : "Identity verification is off: set WIDGET_SECRET to let your site identify users."}
      </p>
      {v && (
        <form class="grid-form widget-form" onSubmit={save} noValidate>
          <div class="field">
            <label for="w-color">Colour</label>
            <input id="w-color" name="color" type="color" value={v.color} />
          </div>
          <div class="field">
            <label for="w-position">Position</label>
            <select id="w-position" name="position" value={v.position}>
              <option value="right">Bottom right</option>
              <option value="left">Bottom left</option>
            </select>
          </div>
          <div class="field">
            <label for="w-bot">Bot name</label>
            <input id="w-bot" name="botName" value={v.botName} placeholder="As BOT_NAME" />
          </div>
          <div class="field">
            <label for="w-prechat-name">Ask for name</label>
            <select id="w-prechat-name" name="preChatName" value={v.preChat.name}>
              {REQUIREMENTS.map(([value, label]) => (
                <option key={value} value={value}>{label}</option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="w-prechat-email">Ask for email</label>
            <select id="w-prechat-email" name="preChatEmail" value={v.preChat.email}>
              {REQUIREMENTS.map(([value, label]) => (
                <option key={value} value={value}>{label}</option>
              ))}
            </select>
          </div>
          <div class="field wide">
            <label for="w-greeting">Greeting</label>
            <textarea id="w-greeting" name="greeting" rows={2} value={v.greeting} />
          </div>
          <div class="field wide">
            <label for="w-origins">Allowed sites</label>
            <textarea
              id="w-origins"
              name="allowedOrigins"
              rows={3}
              value={v.allowedOrigins.join("\n")}
              placeholder="https://www.example.com"
              aria-describedby="w-origins-help"
            />
            <span id="w-origins-help" class="muted">
              One origin per line. Besides ALLOWED_ORIGINS, these may embed the widget.
            </span>
          </div>
          <button type="submit" class="primary" disabled={busy.value}>Save widget settings</button>
        </form>
      )}
      {failure.value && <p class="form-error" role="alert">{failure.value}</p>}
      {notice.value && <p class="form-notice" role="status">{notice.value}</p>}
    </section>
  );
}
