export { IdentityModule } from './identity.module';
export { CustomerDirectory, type IdentityView } from './customer-directory';
export type { SenderRef, ResolvedSender } from './sender-resolver';
export type { MergeSuggestion } from './merge-suggester';
export type { MergeInput, MergeResult, MergeView, SplitInput, SplitResult } from './customer-merger';
export type { LinkEvidence, LinkIdentityInput, LinkResult } from './identity-linker';
export { IDENTITY_KINDS, type IdentityKind } from './identity-address';
export {
  IdentityError,
  IdentityResolutionError,
  MergeConflictError,
  MergeRejectedError,
  UnknownCustomerError,
  UnknownMergeError,
  type IdentityErrorCode,
} from './identity.errors';
