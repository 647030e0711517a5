import { ImapFlow } from 'imapflow';
import type { ImapSettings } from '../config/mailbox.settings';

/** An imapflow client for a mailbox's IMAP settings, quiet, with IDLE started only when the caller asks for it. */
export function imapClientFor(imap: ImapSettings): ImapFlow {
  return new ImapFlow({
    host: imap.host,
    port: imap.port,
    secure: imap.secure,
    auth: { user: imap.user, pass: imap.password },
    logger: false,
    // IDLE is started explicitly once a sync is done (auto-IDLE waits 15 s of inactivity first).
    disableAutoIdle: true,
    // Some servers drop an IDLE after ~30 min; restarting it earlier keeps notifications flowing.
    maxIdleTime: 5 * 60_000,
  });
}
