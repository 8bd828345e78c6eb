// The x-axis of the master's time charts (seconds since the epoch). uPlot's default packs a label every
// few seconds, and "06:18:25" labels ran into each other at 1366 px: ticks stay ≥ 100 px apart on
// round steps, and whole minutes drop their ":00".
const pad = (n) => String(n).padStart(2, '0');

export function timeLabel(sec, withSeconds) {
  const d = new Date(sec * 1000);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}${withSeconds ? `:${pad(d.getSeconds())}` : ''}`;
}

export function timeAxis() {
  return {
    stroke: '#66717f',
    grid: { stroke: '#eef1f5' },
    space: 100,
    incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400],
    values: (u, splits) => {
      const withSeconds = splits.some((s) => Math.round(s) % 60 !== 0);
      return splits.map((s) => timeLabel(s, withSeconds));
    },
  };
}
