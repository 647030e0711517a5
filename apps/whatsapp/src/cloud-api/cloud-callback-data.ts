/** Graph accepts at most 512 characters of `biz_opaque_callback_data`. */
const MAX_CALLBACK_DATA = 512;

export interface CallbackReference {
  messageId: string;
  conversationId: string;
  tenantId: string;
}

/**
 * Our ids in `biz_opaque_callback_data`, which Meta repeats in every status of the message. The `wamid` record is the
 * first way back to our message; this one also covers a crash between Meta's answer and that record, so the
 * statuses of such a message are still attributed. Undefined when the ids do not fit.
 */
export function encodeCallbackData(reference: CallbackReference): string | undefined {
  const encoded = JSON.stringify({
    ponte: { m: reference.messageId, c: reference.conversationId, t: reference.tenantId },
  });
  return encoded.length <= MAX_CALLBACK_DATA ? encoded : undefined;
}

/** Our ids back from a status; undefined for data that other senders of the same number put there. */
export function decodeCallbackData(data: string | undefined): CallbackReference | undefined {
  if (!data) return undefined;
  try {
    const parsed = JSON.parse(data) as { ponte?: { m?: unknown; c?: unknown; t?: unknown } } | null;
    const { m, c, t } = parsed?.ponte ?? {};
    if (typeof m !== 'string' || typeof c !== 'string' || typeof t !== 'string' || !m || !c || !t) {
      return undefined;
    }
    return { messageId: m, conversationId: c, tenantId: t };
  } catch {
    return undefined;
  }
}
