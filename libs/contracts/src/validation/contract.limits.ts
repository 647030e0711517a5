// Limits keep one message well under Kafka's default 1 MB record size, so a valid envelope is always publishable.
export const ContractLimits = {
  envelopeBytes: 1_000_000,
  identifierLength: 256,
  addressLength: 320,
  displayNameLength: 256,
  textLength: 262_144,
  htmlLength: 524_288,
  subjectLength: 998,
  headerLength: 998,
  shortTextLength: 4_096,
  categoryLength: 128,
  mediaTypeLength: 255,
  fileNameLength: 255,
  attachments: 50,
  recipients: 100,
  references: 100,
  listItems: 50,
} as const;
