export interface ConversationSummary {
  id: string;
  status: 'open' | 'resolved';
  resolvedAt?: Date;
}

export interface ThreadingFacts {
  /** The customer's open conversation, if any (at most one, by the openKey unique index). */
  open?: ConversationSummary;
  /** The conversation of a stored message this one replies to (e-mail In-Reply-To / References, quoted replies). */
  referenced?: ConversationSummary;
  /** The customer's most recently resolved conversation. */
  lastResolved?: ConversationSummary;
  receivedAt: Date;
  /** How long after resolution a new message reopens instead of starting a new conversation (per channel). */
  reopenWindowMs: number;
  /** A machine wrote it (an out-of-office reply, a bounce): it never reopens or starts a case on its own. */
  automated?: string;
}

export type ThreadingDecision =
  | { action: 'append'; conversationId: string; reason: string }
  | { action: 'reopen'; conversationId: string; reason: string }
  | { action: 'create'; reason: string };

/**
 * Where a new inbound message goes. The reason is stored with the message and shown to agents, so a surprising
 * thread can be explained. An explicit reference wins over time windows; one customer never has two open cases.
 */
export function decideThread(facts: ThreadingFacts): ThreadingDecision {
  const { open, referenced, lastResolved } = facts;
  const resolved = referenced ?? lastResolved;
  if (facts.automated && !open && resolved && resolved.status === 'resolved') {
    // An out-of-office answer to our closing message must not put the case back in an agent's queue.
    return {
      action: 'append',
      conversationId: resolved.id,
      reason: `an automatic message (${facts.automated}) joins the resolved conversation without reopening it`,
    };
  }
  if (referenced && referenced.status === 'open') {
    return {
      action: 'append',
      conversationId: referenced.id,
      reason: 'replies to a message of this open conversation',
    };
  }
  if (referenced && !open) {
    return {
      action: 'reopen',
      conversationId: referenced.id,
      reason: 'replies to a message of this resolved conversation',
    };
  }
  if (open) {
    const because = referenced
      ? `replies to resolved conversation ${referenced.id}, but the customer has this conversation open`
      : 'the customer has this conversation open';
    return { action: 'append', conversationId: open.id, reason: because };
  }
  if (lastResolved?.resolvedAt) {
    const elapsedMs = facts.receivedAt.getTime() - lastResolved.resolvedAt.getTime();
    if (elapsedMs <= facts.reopenWindowMs) {
      return {
        action: 'reopen',
        conversationId: lastResolved.id,
        reason: `arrived ${formatDuration(elapsedMs)} after resolution, within the ${formatDuration(facts.reopenWindowMs)} reopen window`,
      };
    }
    return {
      action: 'create',
      reason: `the last conversation was resolved ${formatDuration(elapsedMs)} ago, beyond the ${formatDuration(facts.reopenWindowMs)} reopen window`,
    };
  }
  return { action: 'create', reason: 'first conversation of this customer' };
}

function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round((minutes / 60) * 10) / 10;
  return hours < 48 ? `${hours} h` : `${Math.round((hours / 24) * 10) / 10} d`;
}
