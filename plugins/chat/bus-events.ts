// The chat plugin's bus events (declaration merging into daemon/bus-events.ts): live KPIs for monitoring.
export interface ChatStats {
  messages: number; aiAnswers: number; handoffs: number; ratings: number; ratingSum: number; avgRating: number | null;
  open: number; waiting: number; withAgent: number; agentsOnline: number;
  /** open conversations whose customer is gone, within the reconnect grace period (then they close as abandoned) */
  disconnected: number;
}

declare module '../../daemon/bus-events.js' {
  interface BusEvents {
    /** every 15 s while the plugin runs (also sent as `tel/chat`) */
    'chat.stats': ChatStats;
  }
}
