import type { SendAccepted } from '@ponte/channel-kit';
import type { MetaAccount } from '../config/meta-accounts';
import type { MessagingType } from './messaging-window';

/** A file to send, read from the blob store, with the Send API's attachment type. */
export interface MetaFile {
  bytes: Buffer;
  mediaType: string;
  fileName: string;
  /** `image`, `video`, `audio` or `file`. */
  attachmentType: string;
}

export interface MetaSendRequest {
  /** The page or Instagram account sending, with its token. */
  account: MetaAccount;
  /** The PSID / IGSID. */
  customerId: string;
  /** RESPONSE inside the standard window, the HUMAN_AGENT tag after it. */
  messagingType: MessagingType;
  text?: string;
  file?: MetaFile;
}

/**
 * The channel's port: one class per provider, speaking Ponte's types (the Graph Send API is the one there is).
 * Throws SendFailure; `externalId` of what it accepted is Graph's `message_id`, the `mid` receipts and echoes name.
 */
export abstract class MetaSendProvider {
  abstract send(request: MetaSendRequest): Promise<SendAccepted>;
}
