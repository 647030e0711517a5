/** The CloudEvents `source` of everything this service publishes. */
export const SOCIAL_SOURCE = '/ponte/social';
