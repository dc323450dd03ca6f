import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { API, engineer } from '../../test/fixtures';
import { adapter, page } from '../../test/models';
import { trainingDataset } from '../../test/registryFixtures';
import { renderApp, signedIn } from '../../test/render';
import { server } from '../../test/server';

const model = adapter();
const recipe = {
  model_id: model.id,
  openai_model: 'ft:Qwen2.5-0.5B-Instruct:pirate:v2',
  vllm_command: 'vllm serve /srv/qwen --enable-lora --lora-modules ft:Qwen2.5-0.5B-Instruct:pirate:v2=/data/jobs/7/adapter --max-lora-rank 8',
  ollama_modelfile: 'FROM /srv/qwen\nADAPTER /data/jobs/7/adapter\n',
  ollama_commands: ['ollama create pirate:v2 -f Modelfile', 'ollama run pirate:v2'],
  notes: ['Ollama reads a safetensors adapter for Llama, Mistral and Gemma bases'],
};

describe('ServingRecipe', () => {
  it('shows the vLLM and Ollama commands of an adapter once opened', async () => {
    let asked = 0;
    server.use(
      http.get(`${API}/auth/me`, () => HttpResponse.json(engineer)),
      http.get(`${API}/models`, () => HttpResponse.json(page([model]))),
      http.get(`${API}/models/:id`, () => HttpResponse.json(model)),
      http.get(`${API}/datasets/ds_1`, () => HttpResponse.json(trainingDataset)),
      http.get(`${API}/models/:id/exports`, () => HttpResponse.json({ data: [], count: 0 })),
      http.get(`${API}/models/:id/serving`, ({ params }) => {
        asked += 1;
        expect(params.id).toBe(model.id);
        return HttpResponse.json(recipe);
      }),
    );
    const { user } = renderApp(`/models?selected=${model.id}`, signedIn());

    const drawer = await screen.findByRole('dialog');
    const panel = await within(drawer).findByRole('button', { name: /Serve it elsewhere/ });
    expect(asked).toBe(0); // fetched only when opened
    await user.click(panel);
    expect(await within(drawer).findByText(recipe.vllm_command)).toBeInTheDocument();
    expect(within(drawer).getByText(recipe.openai_model)).toBeInTheDocument();
    expect(within(drawer).getByText('ollama create pirate:v2 -f Modelfile', { exact: false })).toBeInTheDocument();
    expect(within(drawer).getByText(/ADAPTER \/data\/jobs\/7\/adapter/)).toBeInTheDocument();
  });
});
