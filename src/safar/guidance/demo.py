"""Demo data of the guidance app: an `editor` login (the articles come with the migrations)."""

from safar.core.demo import DemoUser, register_users

register_users(
    DemoUser(
        "editor",
        "safar-editor",
        "DIR",
        ("editor",),
        "editor of the public guide (/guide/ is public)",
    ),
)
