"""The listing exchanges' rules on material news: when a notice is due and what is asked after
the close (`rules`), on the exchanges' trading calendar (`calendar`), in New York time. No
Django models: the releases' actions and the admin ask it (`rules.what_is_asked`)."""
