/**
 * One `jupyter_forge` comm per kernel: opened once the extension is loaded there,
 * re-opened after a restart or kernel change (the old comm is disposed with it).
 */
import { Kernel } from '@jupyterlab/services';

export const TARGET = 'jupyter_forge';

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

  /** Send on the comm; messages queue in order with execute requests on the shell channel. */
  send(kernel: Kernel.IKernelConnection, data: Record<string, any>): void {
    const comm = this.ensure(kernel);
    if (comm && !comm.isDisposed) {
      comm.send(data);
    }
  }

  private comms = new Map<Kernel.IKernelConnection, Kernel.IComm>();
}
