import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-forge:panel',
  autoStart: true,
  activate: (app: JupyterFrontEnd) => {
    console.log('jupyter-forge activated');
  }
};

export default plugin;
