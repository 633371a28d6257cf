export { samtools } from './samtools.js';
export { bwa, BWA_INDEX_EXTENSIONS } from './bwa.js';
export { fastqc, parseFastqcSummary, fastqcBase, type FastqcReport, type FastqcSummary } from './fastqc.js';
export { cellranger, cellrangerCountArgs, cellrangerMkrefArgs, type CellrangerCountOutputs } from './cellranger.js';
export { parseFlagstat, type Flagstat, type FlagstatCounts } from './flagstat.js';
export { configureRecipes, imageFor, recipeImages, DEFAULT_IMAGES, type RecipeTool } from './images.js';
export { syntheticDataset, prng, type SyntheticDataset, type ReadOrigin } from './synthetic.js';
export type { RecipeCommon } from './recipe-options.js';
