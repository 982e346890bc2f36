/**
 * One `jupyter_forge` comm per kernel: opened once the extension is loaded there,
 * re-opened after a restart or kernel change (the old comm is disposed with it).
 */
import { ISessionContext } from '@jupyterlab/apputils';
import { Kernel } from '@jupyterlab/services';

export const TARGET = 'jupyter_forge';
const LOADED_EXPRESSION =
  "'jupyter_forge' in getattr(get_ipython(), 'extension_manager', None).loaded";

/** Bounds on what a kernel may ask for: the same as jupyter_forge/kernel/comm.py's. */
const MAX_EDIT_SOURCE = 200_000;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;
const REQUEST_RE = /^[0-9a-f]{32}$/;
const WIDGET_ID_RE = /^[0-9a-f]{32}$/;
const CELL_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** "Edit in a cell": add `source` (`%%forge --edit NAME` + code) below the forge cell. */
export interface IEditCellRequest {
  name: string;
  source: string;
  widgetId: string | null;
  cellId: string | null;
}

/**
 * A well-formed request, or null. The kernel is not trusted with the notebook: it may
 * only ask for a cell that starts with `%%forge --edit NAME` (never run by us), of
 * bounded size, next to a cell named by well-formed ids.
 */
export function parseEditCellRequest(data: any): IEditCellRequest | null {
  if (!data || typeof data !== 'object') {
    return null;
  }
  const { name, source } = data;
  const widgetId = data.widget_id ?? null;
  const cellId = data.cell_id ?? null;
  if (
    typeof name !== 'string' ||
    !NAME_RE.test(name) ||
    typeof source !== 'string' ||
    source.length > MAX_EDIT_SOURCE ||
    !source.startsWith(`%%forge --edit ${name}\n`) ||
    (widgetId !== null && (typeof widgetId !== 'string' || !WIDGET_ID_RE.test(widgetId))) ||
    (cellId !== null && (typeof cellId !== 'string' || !CELL_ID_RE.test(cellId)))
  ) {
    return null;
  }
  return { name, source, widgetId, cellId };
}

/** Adds the cell; resolves to null when it did, else to why not (one line). */
export type EditCellHandler = (
  kernel: Kernel.IKernelConnection,
  request: IEditCellRequest
) => Promise<string | null>;

export class KernelLink {
  constructor(
    private onToolsChanged: () => void,
    private onEditCell: EditCellHandler | null = null
  ) {}

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
      const data = msg.content.data as { event?: string; request?: unknown };
      if (data && data.event === 'tools_changed') {
        this.onToolsChanged();
      } else if (
        data &&
        data.event === 'insert_cell' &&
        typeof data.request === 'string' &&
        REQUEST_RE.test(data.request)
      ) {
        void this.editCell(kernel, comm, data.request, data);
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

  /** Handle an `insert_cell` request and answer it (`cell_inserted`), whatever happens. */
  private async editCell(
    kernel: Kernel.IKernelConnection,
    comm: Kernel.IComm,
    request: string,
    data: any
  ): Promise<void> {
    const parsed = parseEditCellRequest(data);
    let error: string | null = 'the request was malformed';
    if (parsed && this.onEditCell) {
      try {
        error = await this.onEditCell(kernel, parsed);
      } catch (reason) {
        error = String(reason).slice(0, 300);
      }
    } else if (parsed) {
      error = 'this JupyterLab cannot add cells for jupyter_forge';
    }
    if (!comm.isDisposed) {
      comm.send({ event: 'cell_inserted', request, ok: error === null, error: error ?? '' });
    }
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
