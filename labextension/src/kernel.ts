/**
 * One `jupyter_forge` comm per kernel: opened once the extension is loaded there,
 * re-opened after a restart or kernel change (the old comm is disposed with it).
 */
import { ISessionContext } from '@jupyterlab/apputils';
import { Kernel } from '@jupyterlab/services';

export const TARGET = 'jupyter_forge';
const LOADED_EXPRESSION =
  "'jupyter_forge' in getattr(get_ipython(), 'extension_manager', None).loaded";

export class KernelLink {
  constructor(private onToolsChanged: () => void) {}

  /** The live comm to `kernel`, opening one if needed. */
  ensure(kernel: Kernel.IKernelConnection): Kernel.IComm | null {
    const known = this.comms.get(kernel);
    if (known && !known.isDisposed) {
      return known;
    }
    let comm: Kernel.IComm;
    try {
      comm = kernel.createComm(TARGET);
    } catch (error) {
      console.warn('jupyter-forge: cannot open a comm', error);
      return null;
    }
    comm.onMsg = msg => {
      const data = msg.content.data as { event?: string };
      if (data && data.event === 'tools_changed') {
        this.onToolsChanged();
      }
    };
    comm.onClose = () => {
      if (this.comms.get(kernel) === comm) {
        this.comms.delete(kernel);
      }
    };
    comm.open({});
    this.comms.set(kernel, comm);
    kernel.disposed.connect(() => this.comms.delete(kernel));
    return comm;
  }

  /**
   * Follow a notebook's kernel: when it (re)starts or changes, ask it quietly whether
   * jupyter_forge is loaded, and open the comm if so (a page reload keeps hearing events).
   */
  watch(sessionContext: ISessionContext): void {
    const probe = () => {
      const kernel = sessionContext.session?.kernel;
      if (!kernel || this.probed.has(kernel) || sessionContext.kernelDisplayStatus !== 'idle') {
        return;
      }
      this.probed.add(kernel);
      kernel.statusChanged.connect((_, status) => {
        if (status === 'restarting' || status === 'autorestarting') {
          this.probed.delete(kernel);
        }
      });
      let done: Promise<any>;
      try {
        done = kernel.requestExecute({
          code: '',
          silent: true,
          store_history: false,
          user_expressions: { forge: LOADED_EXPRESSION }
        }).done;
      } catch {
        return;
      }
      done
        .then(reply => {
          const result = (reply?.content as any)?.user_expressions?.forge;
          if (result?.status === 'ok' && result.data?.['text/plain'] === 'True') {
            this.ensure(kernel);
          }
        })
        .catch(() => undefined);
    };
    sessionContext.statusChanged.connect(probe);
    sessionContext.kernelChanged.connect(probe);
    probe();
  }

  /** Send on the comm; messages queue in order with execute requests on the shell channel. */
  send(kernel: Kernel.IKernelConnection, data: Record<string, any>): void {
    const comm = this.ensure(kernel);
    if (comm && !comm.isDisposed) {
      comm.send(data);
    }
  }

  private comms = new Map<Kernel.IKernelConnection, Kernel.IComm>();
  private probed = new WeakSet<Kernel.IKernelConnection>();
}
