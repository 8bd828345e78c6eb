// Business hours: weekly opening windows in a time zone, plus closed dates. Pure: give it a timestamp.
import { z } from 'zod';

const hhmm = z.string().regex(/^\d{2}:\d{2}$/);
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export const hoursSchema = z.object({
  timeZone: z.string().default('Asia/Shanghai'),
  week: z.object(Object.fromEntries(DAYS.map((d) => [d, z.array(z.tuple([hhmm, hhmm])).default([])])) as Record<(typeof DAYS)[number], z.ZodDefault<z.ZodArray<z.ZodTuple<[typeof hhmm, typeof hhmm]>>>>),
  closedDates: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).default([]),
});
export type Hours = z.infer<typeof hoursSchema>;

const weekday: Array<[string, string]> = [['09:00', '12:00'], ['13:30', '17:30']];
export const HOURS_PRESETS: Record<string, Hours> = {
  'cn-default': { timeZone: 'Asia/Shanghai', week: { sun: [], mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday, sat: [['09:00', '12:00']] }, closedDates: [] },
  always: { timeZone: 'UTC', week: Object.fromEntries(DAYS.map((d) => [d, [['00:00', '24:00']]])) as Hours['week'], closedDates: [] },
};

export function resolveHours(h: string | Hours): Hours {
  if (typeof h !== 'string') return h;
  const p = HOURS_PRESETS[h];
  if (!p) throw new Error(`unknown business-hours preset ${h} (known: ${Object.keys(HOURS_PRESETS).join(', ')})`);
  return p;
}

export function isOpen(hours: Hours, ts: number): boolean {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: hours.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short', hourCycle: 'h23',
  }).formatToParts(ts).map((p) => [p.type, p.value]));
  if (hours.closedDates.includes(`${parts.year}-${parts.month}-${parts.day}`)) return false;
  const day = parts.weekday.toLowerCase().slice(0, 3) as (typeof DAYS)[number];
  const now = `${parts.hour}:${parts.minute}`;
  return (hours.week[day] ?? []).some(([from, to]) => now >= from && now < to);
}

const DAY_NAMES = { zh: ['周日', '周一', '周二', '周三', '周四', '周五', '周六'], en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] };

/** the opening windows in words, consecutive days with the same windows grouped: "周一至周五 09:00-12:00、13:30-17:30" */
export function describeHours(hours: Hours, lang: 'zh' | 'en'): string {
  const order = [1, 2, 3, 4, 5, 6, 0];
  const spans = order.map((d) => (hours.week[DAYS[d]] ?? []).map(([a, b]) => `${a}-${b}`).join(lang === 'zh' ? '、' : ', '));
  const groups: Array<{ from: number; to: number; text: string }> = [];
  order.forEach((d, i) => {
    const last = groups.at(-1);
    if (last && spans[i - 1] === spans[i]) last.to = d; else groups.push({ from: d, to: d, text: spans[i] });
  });
  if (groups.length === 1 && spans[0] === '00:00-24:00') return lang === 'zh' ? '每天 24 小时' : 'around the clock';
  const names = DAY_NAMES[lang];
  const days = (g: { from: number; to: number }) => g.from === g.to ? names[g.from] : `${names[g.from]}${lang === 'zh' ? '至' : '–'}${names[g.to]}`;
  return groups.filter((g) => g.text).map((g) => `${days(g)} ${g.text}`).join(lang === 'zh' ? '；' : '; ');
}
