import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatCommand } from '../../errors/tool-error.js';
import type { RecordedFile, RunRecord } from '../run-record.js';
import { imageParts, toolLabel } from './container-image.js';

/** The profile a produced crate conforms to (its versioned permalink). */
export const PROCESS_RUN_CRATE = 'https://w3id.org/ro/wfrun/process/0.5';
export const RO_CRATE_1_1 = 'https://w3id.org/ro/crate/1.1';
const CONTEXT = [`${RO_CRATE_1_1}/context`, 'https://w3id.org/ro/terms/workflow-run/context'];
const WFRUN = 'https://w3id.org/ro/terms/workflow-run#';

/** One node of the crate's flattened JSON-LD graph. */
export type Entity = { '@id': string; '@type': string | string[] } & Record<string, unknown>;

/** The `ro-crate-metadata.json` document. */
export interface RoCrateMetadata {
  '@context': string[];
  '@graph': Entity[];
}

/** What the crate says about itself, and where its data entities are. */
export interface CrateSettings {
  name: string;
  description: string;
  /** A license URL; absent: a contextual entity saying none was stated. */
  license?: string;
  datePublished: Date;
  /** Relative `@id`s of files copied into the crate, by their original path. */
  copied: ReadonlyMap<string, string>;
  /** A CWL workflow exported from these runs (exportWorkflow): linked from the crate. */
  workflow?: { path: string; recordIds: ReadonlySet<string> };
}

/** The language entity Workflow RO-Crate uses for CWL. */
const CWL_LANGUAGE = 'https://w3id.org/workflowhub/workflow-ro-crate#cwl';

/**
 * Records as an RO-Crate 1.1 following the Process Run Crate profile: one action per record
 * (`CreateAction`, or `ActivateAction` for a run that recorded no output file, as the profile
 * says), its `instrument` the tool (`SoftwareApplication`) and its `containerImage` the image
 * with its digest, `object`/`result` the files it read and wrote, times, status and agent.
 * Pure: the same records and settings give the same crate.
 */
export function crateOf(records: readonly RunRecord[], settings: CrateSettings): RoCrateMetadata {
  const graph = new Map<string, Entity>();
  // The latest description of an @id wins (a file rewritten by a later run: its newest fingerprint).
  const add = (entity: Entity) => graph.set(entity['@id'], entity);
  const files = new Set<string>();
  const actions = records.map((record) => {
    const fileRef = (file: RecordedFile) => {
      const entity = fileEntity(file, settings.copied);
      add(entity);
      files.add(entity['@id']);
      return ref(entity['@id']);
    };
    return actionEntities(record, fileRef, add);
  });
  const license = licenseEntity(settings.license);
  add(license);
  add({ '@id': PROCESS_RUN_CRATE, '@type': 'CreativeWork', name: 'Process Run Crate', version: '0.5' });
  if (settings.workflow) files.add(workflowEntities(settings.workflow, records, add));
  const root: Entity = {
    '@id': './',
    '@type': 'Dataset',
    conformsTo: ref(PROCESS_RUN_CRATE),
    name: settings.name,
    description: settings.description,
    datePublished: isoTime(settings.datePublished),
    license: ref(license['@id']),
    hasPart: [...files].map(ref),
    mentions: actions.map(ref),
  };
  const descriptor: Entity = { '@id': 'ro-crate-metadata.json', '@type': 'CreativeWork', conformsTo: ref(RO_CRATE_1_1), about: ref('./') };
  return { '@context': CONTEXT, '@graph': [descriptor, root, ...graph.values()] };
}

/** Adds one record's action and the entities it points to; returns the action's `@id`. */
function actionEntities(record: RunRecord, fileRef: (file: RecordedFile) => { '@id': string }, add: (e: Entity) => void): string {
  const parts = imageParts(record.image);
  const software = softwareEntity(record.image, parts);
  const image = imageEntity(record, parts);
  add(software);
  add(image);
  const action: Entity = {
    // The profile: CreateAction when the run made files, ActivateAction when it recorded none.
    '@id': `#run-${record.id}`,
    '@type': record.outputs.length ? 'CreateAction' : 'ActivateAction',
    name: actionName(record),
    description: actionDescription(record),
    startTime: isoTime(new Date(record.startedAt)),
    endTime: isoTime(new Date(record.finishedAt)),
    instrument: ref(software['@id']),
    containerImage: ref(image['@id']),
    ...(record.inputs.length ? { object: record.inputs.map(fileRef) } : {}),
    ...(record.outputs.length ? { result: record.outputs.map(fileRef) } : {}),
    actionStatus: ref(`http://schema.org/${record.succeeded ? 'Completed' : 'Failed'}ActionStatus`),
  };
  if (!record.succeeded) action.error = record.error ?? `exit code ${record.exitCode ?? 'unknown'}`;
  if (record.agent) {
    const person: Entity = { '@id': `#person-${encodeURIComponent(record.agent.user)}`, '@type': 'Person', name: record.agent.user };
    add(person);
    action.agent = ref(person['@id']);
  }
  if (record.envNames.length > 0) action.environment = record.envNames.map((name) => ref(envEntity(name, add)));
  add(action);
  return action['@id'];
}

/**
 * The exported workflow as Workflow RO-Crate describes one (File, SoftwareSourceCode,
 * ComputationalWorkflow in CWL), `isBasedOn` the runs it re-runs. Returns its `@id`.
 */
function workflowEntities(workflow: NonNullable<CrateSettings['workflow']>, records: readonly RunRecord[], add: (e: Entity) => void): string {
  const id = pathToFileURL(workflow.path).href;
  add({
    '@id': CWL_LANGUAGE,
    '@type': 'ComputerLanguage',
    name: 'Common Workflow Language',
    alternateName: 'CWL',
    identifier: ref('https://w3id.org/cwl/v1.2/'),
    url: ref('https://www.commonwl.org/'),
  });
  const based = records.filter((r) => workflow.recordIds.has(r.id)).map((r) => ref(`#run-${r.id}`));
  add({
    '@id': id,
    '@type': ['File', 'SoftwareSourceCode', 'ComputationalWorkflow'],
    name: basename(workflow.path),
    description: `A CWL workflow exported by tooldock that re-runs ${based.length} of these runs from their original inputs.`,
    programmingLanguage: ref(CWL_LANGUAGE),
    isBasedOn: based,
  });
  return id;
}

function softwareEntity(image: string, parts: ReturnType<typeof imageParts>): Entity {
  return {
    '@id': `#software-${encodeURIComponent(image)}`,
    '@type': 'SoftwareApplication',
    name: toolLabel(parts),
    ...(parts.tag ? { softwareVersion: parts.tag } : {}),
    description: `The tool in the container image ${image}`,
  };
}

/** The image that ran: by its id (content digest) when known, else by the reference alone. */
function imageEntity(record: RunRecord, parts: ReturnType<typeof imageParts>): Entity {
  const sha256 = record.imageId?.startsWith('sha256:') ? record.imageId.slice('sha256:'.length) : parts.digest;
  return {
    '@id': `#image-${sha256 ?? encodeURIComponent(record.image)}`,
    '@type': 'ContainerImage',
    additionalType: ref(`${WFRUN}DockerImage`),
    registry: parts.registry,
    name: parts.name,
    ...(parts.tag ? { tag: parts.tag } : {}),
    ...(sha256 ? { sha256 } : {}),
  };
}

/** A file or directory: relative when copied into the crate, else its absolute `file://` URI. */
function fileEntity(file: RecordedFile, copied: ReadonlyMap<string, string>): Entity {
  const directory = file.kind === 'directory';
  const url = pathToFileURL(file.path).href;
  const id = copied.get(file.path) ?? (directory && !url.endsWith('/') ? `${url}/` : url);
  return {
    '@id': id,
    '@type': directory ? 'Dataset' : 'File',
    name: basename(file.path) || file.path,
    ...(copied.has(file.path) ? { alternateName: file.path } : {}),
    ...(file.size !== undefined && !directory ? { contentSize: String(file.size) } : {}),
    ...(file.sha256 ? { sha256: file.sha256 } : {}),
    ...(file.mtimeMs !== undefined ? { dateModified: isoTime(new Date(file.mtimeMs)) } : {}),
  };
}

function envEntity(name: string, add: (e: Entity) => void): string {
  const id = `#env-${encodeURIComponent(name)}`;
  add({ '@id': id, '@type': 'PropertyValue', name, description: 'Set for the run; its value is not recorded (it may be a secret).' });
  return id;
}

function licenseEntity(license: string | undefined): Entity {
  if (license) return { '@id': license, '@type': 'CreativeWork', name: license, description: "The license of this crate's content." };
  return {
    '@id': '#license-not-stated',
    '@type': 'CreativeWork',
    name: 'No license stated',
    description: 'exportProvenance was not given a license for this crate.',
  };
}

function actionName(record: RunRecord): string {
  const command = formatCommand(record.args);
  return `Run ${command.length > 80 ? `${command.slice(0, 79)}…` : command}`;
}

function actionDescription(record: RunRecord): string {
  const lines = [`Command: ${formatCommand(record.args)}`, `Image: ${record.image}${record.imageId ? ` (${record.imageId})` : ''}`];
  if (record.exitCode !== undefined) lines.push(`Exit code: ${record.exitCode}`);
  if (record.cached) lines.push(`Served from tooldock's result cache (key ${record.cache?.key ?? 'unknown'}): no container ran.`);
  if (record.attempt > 1) lines.push(`Attempt ${record.attempt}.`);
  if (record.cache?.uncacheable) lines.push(`Not served from or stored in the cache: ${record.cache.uncacheable}.`);
  lines.push(`Engine: ${record.engine}; user: ${record.user ?? record.userMode}; tooldock session ${record.session}.`);
  return lines.join('\n');
}

/** ISO 8601 with a numeric offset (`+00:00`), the form the profile's validator matches. */
export function isoTime(date: Date): string {
  return date.toISOString().replace(/Z$/, '+00:00');
}

function ref(id: string): { '@id': string } {
  return { '@id': id };
}
