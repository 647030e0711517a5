// The support team's vocabulary (design brief §5): N1 solvers resolve, N1 directors triage and forward,
// N2/N3 receive escalations. Roles also decide what an agent may see (invariant 5).
export const AGENT_ROLES = ['solver', 'director', 'n2', 'n3', 'supervisor', 'admin'] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

export const SUPPORT_TIERS = ['n1', 'n2', 'n3'] as const;
export type SupportTier = (typeof SUPPORT_TIERS)[number];

/** Escalation only goes up from tier 1. */
export const ESCALATION_TIERS = ['n2', 'n3'] as const satisfies readonly SupportTier[];
export type EscalationTier = (typeof ESCALATION_TIERS)[number];

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const AGENT_PRESENCES = ['online', 'away', 'offline'] as const;
export type AgentPresence = (typeof AGENT_PRESENCES)[number];

/** First response drives TMA, resolution drives TMR. */
export const SLA_KINDS = ['first-response', 'next-response', 'resolution'] as const;
export type SlaKind = (typeof SLA_KINDS)[number];

export const MESSAGE_DIRECTIONS = ['incoming', 'outgoing', 'note', 'activity'] as const;
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];
