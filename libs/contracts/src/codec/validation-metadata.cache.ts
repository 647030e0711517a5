import { getMetadataStorage } from 'class-validator';

type MetadataStorage = ReturnType<typeof getMetadataStorage>;
type Lookup = MetadataStorage['getTargetValidationMetadatas'];
type Metadata = ReturnType<Lookup>;
type Grouped = ReturnType<MetadataStorage['groupByPropertyName']>;

const installed = new WeakSet<MetadataStorage>();

/**
 * class-validator 0.14 answers "which rules apply to this class?" by scanning every decorated class of the process,
 * on every object it validates (typestack/class-validator#2686), then groups the rules by property, again every
 * time. An inbound message and each event about it are a dozen nested objects, so on the router's hot path that
 * scan was most of the contract's validation time.
 *
 * This remembers both answers per (class, schema, always, strictGroups, groups). The rules of a class and of its
 * ancestors are registered when the classes are defined, before anything can validate them; a rule added later
 * (registerSchema, a decorator applied at run time) clears everything remembered, so an answer is never stale.
 * Idempotent: the process-wide storage is wrapped once.
 */
export function cacheValidationMetadata(storage: MetadataStorage = getMetadataStorage()): void {
  if (installed.has(storage)) return;
  installed.add(storage);
  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const addRule = storage.addValidationMetadata.bind(storage);
  let byTarget = new WeakMap<object, Map<string, Metadata>>();
  let grouped = new WeakMap<Metadata, Grouped>();

  storage.addValidationMetadata = (metadata) => {
    byTarget = new WeakMap();
    grouped = new WeakMap();
    addRule(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${schema}\u0000${String(always)}\u0000${String(strictGroups)}\u0000${groups?.join('\u0001') ?? ''}`;
    let remembered = byTarget.get(target);
    if (!remembered) byTarget.set(target, (remembered = new Map<string, Metadata>()));
    let metadata = remembered.get(key);
    if (!metadata) remembered.set(key, (metadata = lookup(target, schema, always, strictGroups, groups)));
    return metadata;
  };
  storage.groupByPropertyName = (metadata) => {
    let result = grouped.get(metadata);
    if (!result) grouped.set(metadata, (result = group(metadata)));
    return result;
  };
}
