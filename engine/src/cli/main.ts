export async function main(argv: string[]): Promise<number> {
  console.log('optlab', argv.join(' '));
  return 0;
}
