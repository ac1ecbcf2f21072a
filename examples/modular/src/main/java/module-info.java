/** An application that trains with mlp4j, run as a module. */
module example.modular {
    requires org.mlp4j;
}
