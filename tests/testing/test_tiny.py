from transformers import AutoModelForCausalLM, AutoTokenizer


def test_tiny_models_load_and_template_ends_turns(tiny_llama_dir, tiny_gpt2_dir):
    for folder in (tiny_llama_dir, tiny_gpt2_dir):
        tok = AutoTokenizer.from_pretrained(folder)
        model = AutoModelForCausalLM.from_pretrained(folder)
        text = tok.apply_chat_template(
            [{"role": "user", "content": "你好 hi"}, {"role": "assistant", "content": "ok"}],
            tokenize=False,
        )
        assert isinstance(text, str) and text.endswith("<|im_end|>\n")
        ids = tok(text, return_tensors="pt").input_ids
        assert model(ids).logits.shape[-1] == model.config.vocab_size
        assert tok.decode(tok("请用一句话").input_ids) == "请用一句话"
