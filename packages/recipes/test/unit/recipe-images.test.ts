import { afterEach, describe, expect, it } from 'vitest';
import { configureRecipes, DEFAULT_IMAGES, recipeImages } from '@tooldock/recipes';

afterEach(() => configureRecipes({ images: { samtools: undefined, bwa: undefined } }));

describe('recipeImages: what a pre-pull needs', () => {
  it("lists every recipe tool's image once, configured ones included", () => {
    expect(recipeImages()).toEqual(Object.values(DEFAULT_IMAGES));
    configureRecipes({ images: { samtools: 'my-registry/tools:1', bwa: 'my-registry/tools:1' } });
    expect(recipeImages(['samtools', 'bwa', 'fastqc'])).toEqual(['my-registry/tools:1', DEFAULT_IMAGES.fastqc]);
  });

  it('refuses an unknown tool with an InvalidInputError', () => {
    expect(() => recipeImages(['samtool' as 'samtools'])).toThrow(/recipeImages\.tools\[0\]/);
  });
});
