// optlab serve: the engine process of the VS Code extension (IPC protocol, see protocol/).
import { EngineServer, ipcChannel } from '../../server/serve';
import { UsageError } from '../args';

export async function serveCommand(argv: string[]): Promise<number> {
  if (argv.length) throw new UsageError('usage: optlab serve (started by the OptLab extension over an IPC channel)');
  if (!process.send) throw new UsageError('optlab serve: no IPC channel; it is started by the OptLab extension (child_process.fork)');
  const server = new EngineServer(ipcChannel());
  // The host going away ends the engine, as a shutdown request would.
  process.on('disconnect', () => process.exit(0));
  await server.whenShutDown();
  process.disconnect?.();
  return 0;
}
