global using Engine;
