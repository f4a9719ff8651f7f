"""The Gradio web demo (``aesthetic-mllm demo``): one photo, personalization, batch.

``handlers`` holds the work (plain Python, no Gradio), ``app`` the page, ``cli`` the subcommand.
Gradio is an optional extra (``pip install aesthetic_mllm[demo]``) imported only here.
"""
