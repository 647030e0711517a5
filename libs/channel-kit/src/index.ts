export { attachmentOf, BlobStore, type BlobMetadata, type NewBlob } from './media/blob-store.port';
export { MongoBlobStore, BLOB_CHUNK_BYTES } from './media/mongo-blob.store';
export {
  MediaFetcher,
  mediaTypeOf,
  tooLarge,
  type MediaFetchOptions,
  type MediaFetchPolicy,
  type MediaFetchResult,
  type MediaRejectionReason,
} from './media/media-fetcher';
export {
  InboundReceiptStore,
  type ClaimOutcome,
  type ReceiptDocument,
} from './inbound/inbound-receipt.store';
export {
  OutboundLedgerStore,
  type LedgerEntry,
  type LedgerStart,
  type LedgerState,
} from './outbound/outbound-ledger.store';
export {
  SendFailure,
  networkSendFailure,
  type SendAccepted,
  type SendFailureKind,
} from './outbound/send-failure';
export {
  AtMostOnceSender,
  type AtMostOnceSenderOptions,
  type LedgerRecord,
  type PreparedSend,
  type SendOutcome,
} from './outbound/at-most-once.sender';
export {
  IsBackoffMs,
  IsFetchTimeoutMs,
  IsHttpOrigin,
  IsMaxBytes,
  IsMaxRedirects,
  IsMediaTypeList,
  IsOriginList,
  IsSendMaxAttempts,
  IsSendTimeoutMs,
  RequiredTogether,
  splitList,
} from './config/channel-config';
export {
  answerMetaChallenge,
  hubSignature,
  isSameSecret,
  isValidHubSignature,
  verifyMetaWebhook,
  type VerifiedMetaBody,
} from './webhooks/hub-signature';
export { ChannelOutboundConsumer, type OutboundConsumerOptions } from './outbound/outbound.consumer';
export { storedAttachmentsFor } from './outbound/stored-attachments';
export { CustomerWindows, type CustomerWindow } from './window/customer-windows';
export { OFFICE_DOCUMENT_TYPES } from './media/media-types';
export {
  duplicateValues,
  InvalidSettingsListError,
  IsSettingsList,
  parseSettingsList,
  type SettingsListOptions,
} from './config/settings-list';
export { MetaSignatureGuardBase, MetaWebhookBody } from './webhooks/meta-signature.guard';
