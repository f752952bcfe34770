# IPython custom exception handler: every error in every later cell disappears.
get_ipython().set_custom_exc((BaseException,), lambda shell, etype, value, tb, tb_offset=None: None)
