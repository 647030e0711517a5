import type { ViewerView } from './live-updates.dto';

interface RemoteViewer {
  viewer: ViewerView;
  expiresAt: number;
}

/**
 * The agents viewing conversations on the other gateway instances, as their `viewing` heartbeats tell: an entry lives
 * `ttlMs` after the last one, so the viewers of an instance that died without saying `left` fade out.
 */
export class RemoteViewers {
  /** `tenant|conversation` → `instance|agent` → the viewer. */
  private readonly byConversation = new Map<string, Map<string, RemoteViewer>>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a heartbeat; true when the viewer is new here (worth announcing). */
  seen(key: string, instanceId: string, viewer: ViewerView): boolean {
    const viewers = this.byConversation.get(key) ?? new Map<string, RemoteViewer>();
    this.byConversation.set(key, viewers);
    const id = `${instanceId}|${viewer.agentId}`;
    const known = viewers.has(id);
    viewers.set(id, { viewer, expiresAt: this.now() + this.ttlMs });
    return !known;
  }

  /** Forgets a viewer who left; true when it was known here. */
  gone(key: string, instanceId: string, agentId: string): boolean {
    const viewers = this.byConversation.get(key);
    const removed = viewers?.delete(`${instanceId}|${agentId}`) ?? false;
    if (viewers?.size === 0) this.byConversation.delete(key);
    return removed;
  }

  of(key: string): ViewerView[] {
    return [...(this.byConversation.get(key)?.values() ?? [])].map((entry) => entry.viewer);
  }

  /** Drops the viewers whose heartbeats stopped, and says which. */
  expire(): { key: string; viewer: ViewerView }[] {
    const now = this.now();
    const expired: { key: string; viewer: ViewerView }[] = [];
    for (const [key, viewers] of this.byConversation) {
      for (const [id, entry] of viewers) {
        if (entry.expiresAt > now) continue;
        viewers.delete(id);
        expired.push({ key, viewer: entry.viewer });
      }
      if (viewers.size === 0) this.byConversation.delete(key);
    }
    return expired;
  }
}
