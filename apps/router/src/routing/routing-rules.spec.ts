import {
  compileRoutingRules,
  InvalidRoutingRuleError,
  type RoutingContext,
  type RoutingRule,
} from './routing-rules';

const buildContext = (overrides: Partial<RoutingContext> = {}): RoutingContext => ({
  channel: 'whatsapp',
  text: 'Olá, preciso de ajuda',
  customerTags: [],
  priority: 'normal',
  ...overrides,
});

const rules: RoutingRule[] = [
  { id: 'vip', queueId: 'n1-solvers-vip', customerTags: ['vip'] },
  { id: 'billing', queueId: 'n1-directors', keywords: ['fatura', 'cobrança', 'boleto'] },
  { id: 'outage', queueId: 'n1-solvers', pattern: 'sem (internet|sinal)', channels: ['whatsapp', 'sms'] },
];

describe(compileRoutingRules.name, () => {
  const sut = compileRoutingRules(rules);

  it('should pick the first matching rule in order', () => {
    const decision = sut.pickQueue(
      buildContext({ text: 'boleto da fatura', customerTags: ['vip'] }),
      'default',
    );

    expect(decision).toEqual({
      queueId: 'n1-solvers-vip',
      ruleId: 'vip',
      reason: 'rule vip matched: customer tags [vip]',
    });
  });

  it('should match keywords without regard to case or accents', () => {
    const decision = sut.pickQueue(buildContext({ text: 'Minha COBRANCA veio errada' }), 'default');

    expect(decision.queueId).toBe('n1-directors');
    expect(decision.reason).toContain('keyword "cobranca"');
  });

  it('should require every condition of a rule', () => {
    expect(
      sut.pickQueue(buildContext({ text: 'estou sem internet', channel: 'email' }), 'default').queueId,
    ).toBe('default');
    expect(
      sut.pickQueue(buildContext({ text: 'estou SEM INTERNET', channel: 'sms' }), 'default').queueId,
    ).toBe('n1-solvers');
  });

  it('should fall back to the default queue and say so', () => {
    expect(sut.pickQueue(buildContext(), 'n1-solvers')).toEqual({
      queueId: 'n1-solvers',
      ruleId: null,
      reason: 'no routing rule matched: default queue',
    });
  });

  it('should reject a pattern that does not compile', () => {
    expect(() => compileRoutingRules([{ id: 'broken', queueId: 'q', pattern: '(' }])).toThrow(
      InvalidRoutingRuleError,
    );
  });
});
