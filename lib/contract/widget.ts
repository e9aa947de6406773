/**
 * The website widget's side of the contract (docs/widget.md): the appearance and allowed sites an
 * admin sets (one run-time setting, lib/widget/settings.ts), what the loader is told of them
 * (`PublicWidgetSettings`), and the bodies of /api/widget/*. Plain rules without zod live in
 * ./widget_rules.ts, for the loader.
 */
import { z } from "zod";
import { emailField, nameField, timeZone } from "./schemas.ts";
import {
  COLOR_PATTERN,
  MAX_EXTERNAL_ID_LENGTH,
  normalizeColor,
  POSITIONS,
  USER_HASH_PATTERN,
} from "./widget_rules.ts";

/** "https://Shop.example/" → "https://shop.example"; paths, queries and credentials refused. */
export const originSchema = z.string().trim().max(200).transform((value, ctx) => {
  const url = URL.canParse(value) ? new URL(value) : null;
  if (
    !url || !/^https?:$/.test(url.protocol) || url.username || url.password ||
    url.pathname !== "/" || url.search || url.hash || value.endsWith("?") || value.endsWith("#")
  ) {
    ctx.addIssue({
      code: "custom",
      message: `"${value}" is not an origin like https://example.com`,
    });
    return z.NEVER;
  }
  return url.origin;
});

/** Whether the pre-chat form asks for a field. */
export const preChatField = z.enum(["off", "optional", "required"]);
export type PreChatField = z.infer<typeof preChatField>;

const DEFAULT_COLOR = "#4f46e5";

/** The widget's run-time setting (an admin's, on /admin). New fields need a default. */
export const widgetSettingsSchema = z.object({
  /** The launcher's and the panel's accent colour. */
  color: z.string().regex(COLOR_PATTERN, "must be a colour like #4f46e5")
    .transform((c) => normalizeColor(c)!).default(DEFAULT_COLOR),
  /** The first thing the panel says, before any conversation. */
  greeting: z.string().trim().min(1, "must not be empty").max(280)
    .default("Hi! 👋 How can we help?"),
  /** Which bottom corner the launcher sits in. */
  position: z.enum(POSITIONS).default("right"),
  /** The bot's name in the widget; empty: BOT_NAME. */
  botName: z.string().trim().max(80).default(""),
  /** The form before a visitor's first message. */
  preChat: z.object({ name: preChatField.default("off"), email: preChatField.default("off") })
    .default({ name: "off", email: "off" }),
  /** Sites, besides ALLOWED_ORIGINS, that may embed the widget (and are allowed origins). */
  allowedOrigins: z.array(originSchema).max(50)
    .transform((list) => [...new Set(list)]).default([]),
});

export type WidgetSettings = z.infer<typeof widgetSettingsSchema>;

/** What anyone may read (`GET /api/widget/settings`): appearance, never the allowed sites. */
export interface PublicWidgetSettings {
  color: string;
  greeting: string;
  position: (typeof POSITIONS)[number];
  /** Resolved: the admin's name for the bot, else BOT_NAME. */
  botName: string;
  businessName: string;
  preChat: { name: PreChatField; email: PreChatField };
  /** Whether `identify` is on (WIDGET_SECRET is set). */
  identify: boolean;
}

const name = nameField;
const email = emailField;

/** POST /api/widget/identify. */
export const identifyBody = z.strictObject({
  userId: z.string().min(1, "must not be empty").max(MAX_EXTERNAL_ID_LENGTH),
  name: name.optional(),
  email: email.optional(),
  userHash: z.string().regex(USER_HASH_PATTERN, "must be 64 hex digits: HMAC-SHA256 of userId"),
  /** Extension: the browser's time zone (the panel adds it), for the agent's customer panel. */
  timeZone: timeZone.optional(),
});
export type IdentifyBody = z.infer<typeof identifyBody>;

/** PUT /api/widget/profile: what the pre-chat form or the offline form collected. */
export const profileBody = z.strictObject({ name: name.optional(), email: email.optional() })
  .refine((b) => b.name !== undefined || b.email !== undefined, {
    message: "give name and/or email",
    path: ["email"],
  });
export type ProfileBody = z.infer<typeof profileBody>;
