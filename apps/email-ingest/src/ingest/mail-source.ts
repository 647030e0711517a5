import { Injectable } from '@nestjs/common';
import type { MailboxSettings } from '../config/mailbox.settings';
import { imapClientFor } from './imap-client';

export interface MailLocation {
  mailbox: MailboxSettings;
  /** The folder the mail was read from (it may differ from the mailbox's folder today). */
  folder: string;
  uidValidity: string;
  uid: number;
}

export type MailSourceResult =
  | { kind: 'found'; source: Buffer }
  | { kind: 'too-large'; size: number }
  /** Expunged, or the folder's UIDVALIDITY changed (its UIDs now name other mail). */
  | { kind: 'gone'; reason: string };

/** Reads one mail from its mailbox again, by UID (the reprocess of mail quarantined for its size). */
export abstract class MailSource {
  abstract fetch(location: MailLocation, maxBytes: number): Promise<MailSourceResult>;
}

/** A short IMAP session of its own: EXAMINE the folder, check UIDVALIDITY, size first, then the source. */
@Injectable()
export class ImapMailSource extends MailSource {
  async fetch(location: MailLocation, maxBytes: number): Promise<MailSourceResult> {
    const client = imapClientFor(location.mailbox.imap);
    client.on('error', () => undefined);
    await client.connect();
    try {
      const opened = await client.mailboxOpen(location.folder, { readOnly: true });
      if (String(opened.uidValidity) !== location.uidValidity) {
        return {
          kind: 'gone',
          reason: `the UIDVALIDITY of ${location.folder} changed (${location.uidValidity} → ${String(opened.uidValidity)})`,
        };
      }
      const uid = String(location.uid);
      const listed = await client.fetchOne(uid, { uid: true, size: true }, { uid: true });
      if (!listed) return { kind: 'gone', reason: `UID ${uid} is no longer in ${location.folder}` };
      if ((listed.size ?? 0) > maxBytes) return { kind: 'too-large', size: listed.size ?? 0 };
      const message = await client.fetchOne(uid, { uid: true, source: true }, { uid: true });
      if (!message || !message.source)
        return { kind: 'gone', reason: `UID ${uid} is no longer in ${location.folder}` };
      return { kind: 'found', source: message.source };
    } finally {
      await client.logout().catch(() => client.close());
    }
  }
}
