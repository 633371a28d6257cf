/** A short name for labels and progress: the program, else the image's repository name. */
export function toolName(image: string, args: readonly string[]): string {
  const program = args[0]?.split('/').pop();
  if (program && !program.startsWith('-')) return program;
  return image.split('@')[0]!.split('/').pop()!.split(':')[0] || image;
}
