"""``aesthetic-mllm interview``: interview a user (terminal chat or scripted answers) and save the profile."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .interviewer import AnswerFn

_QUIT = {"/quit", "/exit"}


def add_interview_parser(subparsers) -> argparse.ArgumentParser:
    """Register the ``interview`` sub-command on an ``argparse`` sub-parsers object."""
    p = subparsers.add_parser(
        "interview", help="interview a user about their taste and save an aesthetic-value profile",
        description="Semi-structured interview (question bank + follow-ups), then a validated JSON profile "
                    "written to OUT/USER.json. Interactive unless --answers replays a JSON list of answers.")
    p.add_argument("--model", required=True, help="saved model directory; its LLM runs the interview unless "
                                                  "--llm-endpoint or --llm-dir is given")
    p.add_argument("--user", required=True, help="user name (letters, digits, '_', '-', '.'): the profile file name")
    p.add_argument("--out", required=True, help="profile directory")
    p.add_argument("--answers", help="JSON file: a list of answer strings used in order (scripted interview)")
    p.add_argument("--llm-endpoint", help="OpenAI-compatible base URL (with --llm-model)")
    p.add_argument("--llm-model", help="model name at the endpoint")
    p.add_argument("--llm-api-key-env", default="OPENAI_API_KEY",
                   help="environment variable holding the endpoint's API key (default OPENAI_API_KEY)")
    p.add_argument("--llm-dir", help="local Hugging Face causal-LM directory to use as the LLM")
    p.add_argument("--no-followups", action="store_true", help="ask the bank questions only")
    p.add_argument("--transcript", help="also write the transcript and analyzer notes to this JSON file")
    p.set_defaults(func=run_interview_command)
    return p


def _terminal() -> AnswerFn:
    print("Answer in your own words; an empty line skips, /quit (or Ctrl-D) ends the interview.")

    def answer(question: str) -> str | None:
        try:
            reply = input(f"\nInterviewer: {question}\nYou: ")
        except EOFError:
            return None
        return None if reply.strip().lower() in _QUIT else reply

    return answer


def _echoing(answers: list[str]) -> AnswerFn:
    from .interviewer import scripted

    replay = scripted(answers)

    def answer(question: str) -> str | None:
        reply = replay(question)
        if reply is not None:
            print(f"\nInterviewer: {question}\nUser: {reply}")
        return reply

    return answer


def run_interview_command(args: argparse.Namespace) -> int:
    """Run the interview the parsed arguments describe; returns the exit status."""
    from .analyzer import ProfileAnalyzer
    from .interviewer import Interviewer, load_answers
    from .llm import build_llm
    from .store import check_user_name, save_profile

    user = check_user_name(args.user)  # refuse a bad name before the interview, not after
    if not Path(args.model).is_dir():
        raise FileNotFoundError(f"{args.model}: model directory not found")
    answers = load_answers(args.answers) if args.answers else None
    llm = build_llm(model_dir=args.model, llm_dir=args.llm_dir, endpoint=args.llm_endpoint,
                    llm_model=args.llm_model, api_key=os.environ.get(args.llm_api_key_env))
    interviewer = Interviewer(llm, followups=not args.no_followups)
    if answers is not None and len(answers) != interviewer.num_questions:
        print(f"note: {len(answers)} scripted answers for {interviewer.num_questions} questions")
    transcript = interviewer.run(_echoing(answers) if answers is not None else _terminal())
    analysis = ProfileAnalyzer(llm).analyze(transcript, user)
    path = save_profile(analysis.profile, args.out)
    if args.transcript:
        record = {**transcript.to_dict(), "analyzer": analysis.source, "analyzer_notes": analysis.notes}
        Path(args.transcript).write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for note in [*transcript.notes, *analysis.notes]:
        print(f"note: {note}")
    profile = analysis.profile
    print(f"\nsaved profile ({analysis.source} analyzer: {len(profile.liked)} liked, {len(profile.disliked)} "
          f"disliked, {len(profile.values)} values) to {path}")
    return 0
