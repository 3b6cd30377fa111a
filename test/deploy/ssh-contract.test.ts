import { after, before } from 'node:test';
import { localTransport } from '../../src/deploy/transports/local.js';
import { sshTransport } from '../../src/deploy/transports/ssh.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { transportContract } from './transport-contract.js';

let sshd: Sshd | undefined;
before(async () => {
  sshd = await startSshd({ host: '127.0.0.2' });
});
after(async () => {
  await sshd?.stop();
});

transportContract('local', () => ({ open: (root, name) => localTransport().open({ name, folder: root }) }));

transportContract('ssh', () => ({
  open: (root, name) => {
    const d = sshd as Sshd;
    return sshTransport().open({ name, host: d.host, port: d.port, user: d.user, hostKey: d.hostKeyLine, identityFile: d.clientKeyPath, path: root });
  },
}));
