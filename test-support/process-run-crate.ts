import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Checks an `ro-crate-metadata.json` against the requirements of RO-Crate 1.1 and of the
 * Process Run Crate profile 0.5 (https://w3id.org/ro/wfrun/process/0.5), written from the spec
 * text and from the SHACL shapes of the reference validator (crs4/rocrate-validator,
 * profiles/ro-crate/must and profiles/process-run-crate/{must,should}). The Python validator
 * cannot be installed here (no PyPI); the JS `ro-crate` package resolves terms only against
 * its bundled 1.2 context and would need the network for 1.1 (see docs/provenance.md).
 */
export interface CrateProblems {
  /** MUST-level violations: the crate is not valid. */
  must: string[];
  /** SHOULD-level ones the profile recommends (tooldock's crates meet these too). */
  should: string[];
}

type Node = Record<string, unknown> & { '@id': string; '@type': string | string[] };
type Ref = { '@id': string };

const RO_CRATE_CONTEXT = 'https://w3id.org/ro/crate/1.1/context';
const WFRUN_CONTEXT = 'https://w3id.org/ro/terms/workflow-run/context';
const WFRUN = 'https://w3id.org/ro/terms/workflow-run#';
/** Terms a crate may use: checked present in the RO-Crate 1.1 context (schema.org, dct:conformsTo). */
const RO_CRATE_TERMS = new Set([
  'conformsTo',
  'about',
  'name',
  'description',
  'datePublished',
  'license',
  'hasPart',
  'mentions',
  'version',
  'softwareVersion',
  'additionalType',
  'startTime',
  'endTime',
  'instrument',
  'object',
  'result',
  'actionStatus',
  'error',
  'agent',
  'alternateName',
  'contentSize',
  'dateModified',
  'identifier',
  'url',
  'encodingFormat',
  'value',
  'mainEntity',
]);
/** The workflow-run context's terms (ro-terms workflow-run/context.json). */
const WFRUN_TERMS = new Set(['sha256', 'sha512', 'sha1', 'md5', 'registry', 'tag', 'containerImage', 'environment', 'resourceUsage']);
const KEYWORDS = new Set(['@id', '@type']);
/** The profile validator's DateTime pattern (an explicit numeric offset). */
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}(\.\d{3})?\+\d{2}:\d{2})?$/;
const ACTION_TYPES = ['CreateAction', 'ActivateAction', 'UpdateAction'];

export function checkProcessRunCrate(metadata: unknown, crateDir?: string): CrateProblems {
  const problems: CrateProblems = { must: [], should: [] };
  const doc = metadata as { '@context'?: unknown; '@graph'?: unknown };
  const keys = Object.keys(doc ?? {});
  if (keys.some((k) => k !== '@context' && k !== '@graph')) problems.must.push('the document has keys besides @context and @graph');
  const contexts = [doc?.['@context']].flat();
  if (!contexts.includes(RO_CRATE_CONTEXT)) problems.must.push(`@context does not reference ${RO_CRATE_CONTEXT}`);
  if (!Array.isArray(doc?.['@graph'])) return { ...problems, must: [...problems.must, 'no @graph array'] };
  const graph = doc['@graph'] as Node[];
  const byId = new Map(graph.map((n) => [n['@id'], n]));
  checkFlattenedAndCompacted(graph, contexts.includes(WFRUN_CONTEXT), problems);
  const root = checkDescriptorAndRoot(byId, problems);
  if (root) {
    checkDataEntities(graph, root, crateDir, problems);
    checkProfile(graph, byId, root, problems);
  }
  checkReferences(graph, byId, problems);
  return problems;
}

function types(node: Node | undefined): string[] {
  return node ? [node['@type']].flat() : [];
}

function refs(value: unknown): Ref[] {
  return [value].flat().filter((v): v is Ref => typeof v === 'object' && v !== null && typeof (v as Ref)['@id'] === 'string');
}

function checkFlattenedAndCompacted(graph: Node[], hasWfrun: boolean, problems: CrateProblems): void {
  for (const node of graph) {
    if (typeof node['@id'] !== 'string' || node['@type'] === undefined)
      problems.must.push(`an entity lacks @id or @type: ${JSON.stringify(node).slice(0, 80)}`);
    for (const [key, value] of Object.entries(node)) {
      const known = KEYWORDS.has(key) || RO_CRATE_TERMS.has(key) || (hasWfrun && WFRUN_TERMS.has(key));
      if (!known) problems.must.push(`${node['@id']}: "${key}" is not a term of the crate's contexts (not compacted)`);
      for (const nested of [value].flat()) {
        if (typeof nested === 'object' && nested !== null && Object.keys(nested).join() !== '@id') {
          problems.must.push(`${node['@id']}.${key}: a nested object other than {"@id"} (not flattened)`);
        }
      }
    }
  }
}

function checkDescriptorAndRoot(byId: Map<string, Node>, problems: CrateProblems): Node | undefined {
  const descriptor = byId.get('ro-crate-metadata.json');
  if (!descriptor || !types(descriptor).includes('CreativeWork')) {
    problems.must.push('no ro-crate-metadata.json entity of type CreativeWork');
    return undefined;
  }
  if (!refs(descriptor.conformsTo).some((r) => r['@id'] === 'https://w3id.org/ro/crate/1.1'))
    problems.must.push('the descriptor does not conformsTo RO-Crate 1.1');
  const rootId = refs(descriptor.about)[0]?.['@id'];
  const root = rootId === undefined ? undefined : byId.get(rootId);
  if (!root) {
    problems.must.push('the descriptor is not about an entity of the graph');
    return undefined;
  }
  if (!types(root).includes('Dataset')) problems.must.push('the root data entity is not a Dataset');
  if (!root['@id'].endsWith('/')) problems.must.push('the root data entity @id does not end with "/"');
  for (const prop of ['name', 'description', 'datePublished', 'license'])
    if (root[prop] === undefined) problems.must.push(`the root data entity has no ${prop}`);
  if (typeof root.datePublished !== 'string' || !/^\d{4}(-\d{2}(-\d{2})?)?/.test(root.datePublished))
    problems.must.push('datePublished is not an ISO 8601 string');
  return root;
}

/** Files and directories: valid @id, reached from the root by hasPart, present when relative. */
function checkDataEntities(graph: Node[], root: Node, crateDir: string | undefined, problems: CrateProblems): void {
  const parts = new Set(refs(root.hasPart).map((r) => r['@id']));
  for (const node of graph) {
    const isFile = types(node).includes('File');
    const isDirectory = types(node).includes('Dataset') && node !== root;
    if (!isFile && !isDirectory) continue;
    const id = node['@id'];
    const absolute = /^[a-z][a-z0-9+.-]*:/i.test(id);
    if (!absolute && (id.startsWith('/') || id.startsWith('#') || /\s/.test(id)))
      problems.must.push(`${id}: a data entity @id must be a relative URI path or an absolute URI`);
    if (isDirectory && !id.endsWith('/')) problems.must.push(`${id}: a directory's @id must end with "/"`);
    if (!parts.has(id)) problems.must.push(`${id}: a data entity must be linked from the root with hasPart`);
    if (!absolute && crateDir && !existsSync(join(crateDir, decodeURIComponent(id)))) problems.must.push(`${id}: not in the crate's payload`);
  }
}

function checkProfile(graph: Node[], byId: Map<string, Node>, root: Node, problems: CrateProblems): void {
  const profile = refs(root.conformsTo).find((r) => r['@id'].startsWith('https://w3id.org/ro/wfrun/process/'));
  if (!profile) problems.must.push('the root does not conformsTo a https://w3id.org/ro/wfrun/process/ permalink');
  else if (!types(byId.get(profile['@id'])).includes('CreativeWork'))
    problems.must.push(`${profile['@id']} is not a CreativeWork entity of the crate`);
  const mentioned = new Set(refs(root.mentions).map((r) => r['@id']));
  for (const action of graph.filter((n) => types(n).some((t) => ACTION_TYPES.includes(t)))) {
    checkAction(action, byId, problems);
    if (!mentioned.has(action['@id'])) problems.should.push(`${action['@id']}: not listed in the root's mentions`);
  }
}

function checkAction(action: Node, byId: Map<string, Node>, problems: CrateProblems): void {
  const id = action['@id'];
  const instruments = refs(action.instrument).map((r) => byId.get(r['@id']));
  if (
    instruments.length === 0 ||
    !instruments.every((i) => types(i).some((t) => ['SoftwareApplication', 'SoftwareSourceCode', 'ComputationalWorkflow'].includes(t)))
  ) {
    problems.must.push(`${id}: instrument must reference a SoftwareApplication, SoftwareSourceCode or ComputationalWorkflow`);
  }
  for (const prop of ['name', 'description', 'endTime', 'agent']) if (action[prop] === undefined) problems.should.push(`${id}: no ${prop}`);
  for (const prop of ['startTime', 'endTime'])
    if (action[prop] !== undefined && !DATE_TIME.test(String(action[prop]))) problems.should.push(`${id}: ${prop} is not ISO 8601 with an offset`);
  if (types(action).includes('CreateAction') && action.result === undefined) problems.should.push(`${id}: a CreateAction should have a result`);
  const status = refs(action.actionStatus)[0]?.['@id'];
  if (
    action.actionStatus !== undefined &&
    !['http://schema.org/CompletedActionStatus', 'http://schema.org/FailedActionStatus'].includes(status ?? '')
  )
    problems.should.push(`${id}: actionStatus is neither Completed nor Failed`);
  if (action.error !== undefined && status !== 'http://schema.org/FailedActionStatus')
    problems.should.push(`${id}: error without FailedActionStatus`);
  const dataTypes = ['File', 'Dataset', 'Collection', 'CreativeWork', 'PropertyValue'];
  for (const ref of [...refs(action.object), ...refs(action.result)]) {
    if (!types(byId.get(ref['@id'])).some((t) => dataTypes.includes(t)))
      problems.should.push(`${id}: object/result ${ref['@id']} is not a File, Dataset, Collection, CreativeWork or PropertyValue`);
  }
  for (const agent of refs(action.agent))
    if (!types(byId.get(agent['@id'])).some((t) => t === 'Person' || t === 'Organization'))
      problems.should.push(`${id}: agent is not a Person or Organization`);
  for (const env of refs(action.environment))
    if (!types(byId.get(env['@id'])).includes('PropertyValue')) problems.should.push(`${id}: environment is not a PropertyValue`);
  for (const image of refs(action.containerImage)) checkContainerImage(byId.get(image['@id']), id, problems);
}

function checkContainerImage(image: Node | undefined, actionId: string, problems: CrateProblems): void {
  if (!types(image).includes('ContainerImage')) {
    problems.should.push(`${actionId}: containerImage is not a ContainerImage`);
    return;
  }
  const kinds = refs(image!.additionalType).map((r) => r['@id']);
  if (!kinds.some((k) => k === `${WFRUN}DockerImage` || k === `${WFRUN}SIFImage`))
    problems.should.push(`${image!['@id']}: additionalType is not DockerImage or SIFImage`);
  for (const prop of ['registry', 'name']) if (image![prop] === undefined) problems.should.push(`${image!['@id']}: no ${prop}`);
}

/** A local reference (relative or `#…`) must name an entity of the graph; absolute IRIs may be external. */
function checkReferences(graph: Node[], byId: Map<string, Node>, problems: CrateProblems): void {
  for (const node of graph) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '@id') continue;
      for (const ref of refs(value)) {
        const absolute = /^[a-z][a-z0-9+.-]*:/i.test(ref['@id']);
        if (!absolute && !byId.has(ref['@id'])) problems.must.push(`${node['@id']}.${key} references ${ref['@id']}, which is not in the graph`);
      }
    }
  }
}
