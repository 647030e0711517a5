import type { Priority } from '@ponte/contracts';

export type { Priority };

export interface RoutingRule {
  id: string;
  queueId: string;
  /** Matches when the conversation started on one of these channels. */
  channels?: readonly string[];
  /** Matches when the first message contains one of these words (case- and accent-insensitive). */
  keywords?: readonly string[];
  /** Matches when the first message matches this regular expression (case-insensitive). */
  pattern?: string;
  /** Matches when the customer has every one of these tags. */
  customerTags?: readonly string[];
  /** Matches when the conversation has one of these priorities. */
  priorities?: readonly Priority[];
}

export interface RoutingContext {
  channel: string;
  /** Subject and text of the first message. */
  text: string;
  customerTags: readonly string[];
  priority: Priority;
}

export interface RoutingDecision {
  queueId: string;
  ruleId: string | null;
  /** Shown to agents: why the conversation landed in this queue. */
  reason: string;
}

const MAX_PATTERN_LENGTH = 200;

/** Lower case without diacritics, so "não" matches "nao" and "URGENTE" matches "urgente". */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

export class InvalidRoutingRuleError extends Error {
  readonly code = 'INVALID_ROUTING_RULE';
}

/** Compiles the rules once (when loaded), rejecting a rule that could never match or a pattern that does not parse. */
export function compileRoutingRules(rules: readonly RoutingRule[]): CompiledRoutingRules {
  return new CompiledRoutingRules(
    rules.map((rule) => {
      if (rule.pattern !== undefined && rule.pattern.length > MAX_PATTERN_LENGTH) {
        throw new InvalidRoutingRuleError(
          `Rule ${rule.id}: pattern longer than ${MAX_PATTERN_LENGTH} characters`,
        );
      }
      let pattern: RegExp | undefined;
      try {
        pattern = rule.pattern === undefined ? undefined : new RegExp(rule.pattern, 'iu');
      } catch (error) {
        throw new InvalidRoutingRuleError(`Rule ${rule.id}: ${(error as Error).message}`);
      }
      return { rule, pattern, keywords: rule.keywords?.map(foldText) };
    }),
  );
}

interface CompiledRule {
  rule: RoutingRule;
  pattern: RegExp | undefined;
  keywords: string[] | undefined;
}

export class CompiledRoutingRules {
  constructor(private readonly rules: readonly CompiledRule[]) {}

  /** The first rule (in order) whose every condition holds picks the queue; otherwise the default queue. */
  pickQueue(context: RoutingContext, defaultQueueId: string): RoutingDecision {
    const folded = foldText(context.text);
    for (const { rule, pattern, keywords } of this.rules) {
      if (rule.channels && !rule.channels.includes(context.channel)) continue;
      if (rule.priorities && !rule.priorities.includes(context.priority)) continue;
      if (rule.customerTags && !rule.customerTags.every((tag) => context.customerTags.includes(tag)))
        continue;
      const keyword = keywords?.find((word) => folded.includes(word));
      if (keywords && keyword === undefined) continue;
      if (pattern && !pattern.test(context.text)) continue;
      return { queueId: rule.queueId, ruleId: rule.id, reason: describeMatch(rule, keyword) };
    }
    return { queueId: defaultQueueId, ruleId: null, reason: 'no routing rule matched: default queue' };
  }
}

function describeMatch(rule: RoutingRule, keyword: string | undefined): string {
  const parts = [
    rule.channels && `channel in [${rule.channels.join(', ')}]`,
    keyword !== undefined && `keyword "${keyword}"`,
    rule.pattern && `pattern /${rule.pattern}/`,
    rule.customerTags && `customer tags [${rule.customerTags.join(', ')}]`,
    rule.priorities && `priority in [${rule.priorities.join(', ')}]`,
  ].filter(Boolean);
  return `rule ${rule.id} matched${parts.length > 0 ? `: ${parts.join(', ')}` : ' (no conditions)'}`;
}
