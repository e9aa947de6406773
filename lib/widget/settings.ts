/**
 * The website widget's run-time setting (declared here, stored by lib/store/settings.ts): colour,
 * greeting, position, the bot's name, the pre-chat form and the allowed sites, set by an admin on
 * /admin. `publicSettings` is the part anyone may read: the allowed sites stay private.
 */
import { defineSetting } from "../store/settings.ts";
import {
  type PublicWidgetSettings,
  type WidgetSettings,
  widgetSettingsSchema,
} from "../contract/widget.ts";

export const WIDGET_SETTINGS = defineSetting(
  "widget",
  widgetSettingsSchema,
  widgetSettingsSchema.parse({}),
);

/** What the loader and the panel are told. */
export function publicSettings(
  settings: WidgetSettings,
  config: { botName: string; businessName: string; widgetSecret: string | null },
): PublicWidgetSettings {
  return {
    color: settings.color,
    greeting: settings.greeting,
    position: settings.position,
    botName: settings.botName || config.botName,
    businessName: config.businessName,
    preChat: settings.preChat,
    identify: config.widgetSecret !== null,
  };
}
