# Drop every statement of later cells at the AST level.
import ast
class DropAll(ast.NodeTransformer):
    def visit_Module(self, node):
        node.body = [ast.Pass()]
        return node
get_ipython().ast_transformers.append(DropAll())
