import { afterAll } from 'vitest';
import { connect } from '@tooldock/core';
import { session } from '@tooldock/core/docker';

/** After each test file: no container of this worker's session may remain on the daemon. */
afterAll(async () => {
  const left = await connect().docker.listContainers({
    all: true,
    filters: { label: [`tooldock.session=${session.id}`] },
  });
  if (left.length > 0) {
    const names = left.map((c) => `${c.Id.slice(0, 12)} (${c.Image}: ${c.Command}, ${c.State})`).join(', ');
    throw new Error(`${left.length} container(s) of this test session were left behind: ${names}`);
  }
});
