/** Channel accounts of whatsapp-web.js sessions are `web:{session id}`; Cloud API accounts are bare phone number ids. */
const WEB_ACCOUNT_PREFIX = 'web:';

export function webChannelAccountId(sessionId: string): string {
  return `${WEB_ACCOUNT_PREFIX}${sessionId}`;
}

/** The session id of a `web:{session id}` account; undefined for any other account. */
export function webSessionIdOf(channelAccountId: string): string | undefined {
  return channelAccountId.startsWith(WEB_ACCOUNT_PREFIX)
    ? channelAccountId.slice(WEB_ACCOUNT_PREFIX.length)
    : undefined;
}

/** Blob ids of a session's messages: `whatsapp-web/{session id}/{serialized message id}/…`. */
export function webBlobId(sessionId: string, externalId: string, part: string): string {
  return `whatsapp-web/${sessionId}/${externalId}/${part}`;
}
