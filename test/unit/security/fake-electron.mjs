// The parts of Electron's API that electron/main and electron/preload touch, recording every call
// in `fake` so tests can check what the real modules configured.
export const fake = {
  windows: [],
  handlers: new Map(),
  exposed: [],
  invoked: [],
  privileged: [],
  dialogs: [],
  dialogAnswer: { canceled: false, filePaths: ['/picked/folder'] },
};

class Emitter {
  listeners = {};
  on(event, fn) {
    (this.listeners[event] ??= []).push(fn);
    return this;
  }
  once(event, fn) {
    return this.on(event, fn);
  }
  off() {
    return this;
  }
  emit(event, ...args) {
    for (const fn of this.listeners[event] ?? []) fn(...args);
  }
}

class Session {
  protocolHandlers = new Map();
  protocol = { handle: (scheme, fn) => this.protocolHandlers.set(scheme, fn) };
  setPermissionRequestHandler(fn) {
    this.permissionRequest = fn;
  }
  setPermissionCheckHandler(fn) {
    this.permissionCheck = fn;
  }
  setDevicePermissionHandler(fn) {
    this.devicePermission = fn;
  }
}

class WebContents extends Emitter {
  session = new Session();
  mainFrame = { url: 'app://studio/index.html', parent: null, frameTreeNodeId: 1 };
  setWindowOpenHandler(fn) {
    this.windowOpenHandler = fn;
  }
  send() {}
}

export class BrowserWindow extends Emitter {
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new WebContents();
    fake.windows.push(this);
  }
  loadURL(url) {
    this.loadedUrl = url;
    return Promise.resolve();
  }
  show() {}
  setBackgroundColor() {}
  isDestroyed() {
    return false;
  }
  static getAllWindows() {
    return fake.windows;
  }
}

export const nativeTheme = { shouldUseDarkColors: false, on() {}, off() {} };
export const protocol = {
  registerSchemesAsPrivileged: (schemes) => fake.privileged.push(...schemes),
};
export const ipcMain = {
  handle: (channel, fn) => fake.handlers.set(channel, fn),
  removeHandler: (channel) => fake.handlers.delete(channel),
};
export const contextBridge = { exposeInMainWorld: (key, api) => fake.exposed.push([key, api]) };
export const ipcRenderer = {
  invoke: async (channel, arg) => {
    fake.invoked.push([channel, arg]);
    return { ok: true, value: 'forwarded' };
  },
  on() {},
  removeListener() {},
};
export const dialog = {
  showOpenDialog: async (...args) => {
    fake.dialogs.push(args);
    return fake.dialogAnswer;
  },
};
export const app = { getPath: () => '/nonexistent/user-data' };
export default {
  BrowserWindow,
  nativeTheme,
  protocol,
  ipcMain,
  contextBridge,
  ipcRenderer,
  dialog,
  app,
};
