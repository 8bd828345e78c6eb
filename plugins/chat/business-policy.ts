// Per business, from the chat config: how humans take part (its mode) and when they are on duty (its hours).
import type { ChatConfig } from './config.js';
import { describeHours, isOpen, resolveHours } from './hours.js';
import type { BusinessMode } from './router.js';

export type BusinessPolicy = ReturnType<typeof createBusinessPolicy>;

export function createBusinessPolicy(config: ChatConfig, now: () => number) {
  const hoursOf = (business: string) => resolveHours(config.businessHoursBy[business] ?? config.businessHours);
  return {
    // a complaint is never the bot's to settle
    modeOf: (business: string): BusinessMode => config.modes[business] ?? (business === 'complaint' ? 'human_only' : config.defaultMode),
    humansOpen: (business: string) => isOpen(hoursOf(business), now()),
    /** the opening hours in both page languages, for a customer told nobody is on duty */
    hoursText: (business: string) => ({ zh: describeHours(hoursOf(business), 'zh'), en: describeHours(hoursOf(business), 'en') }),
  };
}
