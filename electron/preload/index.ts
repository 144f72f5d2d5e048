// Exposes one narrow API object. Stub until the desktop-app issue fills it in.
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('studio', { version: 1 });
